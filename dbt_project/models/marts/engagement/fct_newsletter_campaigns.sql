-- One row per campaign, over distinct recipient addresses (METRICS.md "Newsletter").
-- Built in int_newsletter_campaigns, which the strategy KPIs read too.
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

campaigns as (
    select * from {{ ref('int_newsletter_campaigns') }}
),

final as (
    select
        campaign_id,
        sent_at,
        year,
        topic,
        language,
        recipients,
        delivered,
        hard_bounces,
        soft_bounces,
        unique_opens,
        unique_human_opens,
        unique_human_clicks,
        machine_openers,
        unsubscribes,
        complaints,
        open_rate,
        click_rate,
        click_to_open_rate,
        machine_open_share,
        anonymous_opens,
        anonymous_clicks,
        event_source
    from campaigns
)

select * from final

-- One row per newsletter campaign (built in int_campaigns). sent_at in Europe/Berlin local time.
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

campaigns as (
    select * from {{ ref('int_campaigns') }}
),

final as (
    select
        campaign_id,
        topic,
        sent_at,
        year,
        language,
        recipients_reported
    from campaigns
)

select * from final

-- One row per campaign, over distinct recipient addresses (METRICS.md "Newsletter").
with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

recipients as (
    select * from {{ ref('int_newsletter_recipients') }}
),

per_campaign as (
    select
        campaign_id,
        cast(sum(was_sent) as {{ dbt.type_bigint() }}) as recipients,
        cast(sum(hard_bounced) as {{ dbt.type_bigint() }}) as hard_bounces,
        cast(sum(soft_bounced) as {{ dbt.type_bigint() }}) as soft_bounces,
        cast(sum(greatest(hard_bounced, soft_bounced)) as {{ dbt.type_bigint() }}) as bounced,
        cast(sum(opened) as {{ dbt.type_bigint() }}) as unique_opens,
        cast(sum(opened_human) as {{ dbt.type_bigint() }}) as unique_human_opens,
        cast(sum(clicked_human) as {{ dbt.type_bigint() }}) as unique_human_clicks,
        cast(sum(opened_machine) as {{ dbt.type_bigint() }}) as machine_openers,
        cast(sum(unsubscribed) as {{ dbt.type_bigint() }}) as unsubscribes,
        cast(sum(complained) as {{ dbt.type_bigint() }}) as complaints
    from recipients
    group by campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.sent_at,
        campaigns.year,
        campaigns.topic,
        campaigns.language,
        coalesce(per_campaign.recipients, 0) as recipients,
        coalesce(per_campaign.recipients, 0) - coalesce(per_campaign.bounced, 0) as delivered,
        coalesce(per_campaign.hard_bounces, 0) as hard_bounces,
        coalesce(per_campaign.soft_bounces, 0) as soft_bounces,
        coalesce(per_campaign.unique_opens, 0) as unique_opens,
        coalesce(per_campaign.unique_human_opens, 0) as unique_human_opens,
        coalesce(per_campaign.unique_human_clicks, 0) as unique_human_clicks,
        coalesce(per_campaign.machine_openers, 0) as machine_openers,
        coalesce(per_campaign.unsubscribes, 0) as unsubscribes,
        coalesce(per_campaign.complaints, 0) as complaints,
        per_campaign.unique_human_opens * 1.0
        / nullif(per_campaign.recipients - per_campaign.bounced, 0) as open_rate,
        per_campaign.unique_human_clicks * 1.0
        / nullif(per_campaign.recipients - per_campaign.bounced, 0) as click_rate,
        per_campaign.unique_human_clicks * 1.0 / nullif(per_campaign.unique_human_opens, 0) as click_to_open_rate,
        per_campaign.machine_openers * 1.0
        / nullif(per_campaign.recipients - per_campaign.bounced, 0) as machine_open_share
    from campaigns
    left join per_campaign on campaigns.campaign_id = per_campaign.campaign_id
)

select * from final

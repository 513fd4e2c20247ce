-- One row per campaign, over distinct recipient addresses (METRICS.md "Newsletter").
with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

events as (
    select * from {{ ref('int_newsletter_events') }}
),

per_campaign as (
    select
        campaign_id,
        count(distinct case when action = 'sent' then email_hash end) as recipients,
        count(distinct case when action = 'hard_bounce' then email_hash end) as hard_bounces,
        count(distinct case when action = 'soft_bounce' then email_hash end) as soft_bounces,
        count(distinct case when action in ('hard_bounce', 'soft_bounce') then email_hash end) as bounced,
        count(distinct case when action in ('open', 'click') then email_hash end) as unique_opens,
        count(distinct case when action in ('open', 'click') and not is_machine then email_hash end)
            as unique_human_opens,
        count(distinct case when action = 'click' and not is_machine then email_hash end) as unique_human_clicks,
        count(distinct case when action = 'open' and is_machine then email_hash end) as machine_openers,
        count(distinct case when action = 'unsubscribe' then email_hash end) as unsubscribes,
        count(distinct case when action = 'complaint' then email_hash end) as complaints
    from events
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

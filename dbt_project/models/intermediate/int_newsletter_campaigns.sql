-- One row per campaign, over distinct recipient addresses (METRICS.md "Newsletter").
-- Campaigns whose events come from a tool (TOOLS.md §5, §6, §8): without `sent` events the recipients are the
-- catalogue's `Empfänger`; a count the campaign's tools do not export is empty, never a false zero.
-- Published as fct_newsletter_campaigns; read by the goal-2 and goal-3 strategy KPIs.
with

campaigns as (
    select * from {{ ref('int_campaigns') }}
),

recipients as (
    select * from {{ ref('int_newsletter_recipients') }}
),

tool_events as (
    select * from {{ ref('int_newsletter_tool_events') }}
),

anonymous_counts as (
    select * from {{ ref('int_newsletter_anonymous_counts') }}
),

mautic_columns as (
    select
        campaign_id,
        max(case when reports_bounces then 1 else 0 end) = 1 as reports_bounces,
        max(case when reports_unsubscribes then 1 else 0 end) = 1 as reports_unsubscribes
    from tool_events
    where origin = 'mautic'
    group by campaign_id
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
        cast(sum(complained) as {{ dbt.type_bigint() }}) as complaints,
        max(coalesce(from_canonical, 1)) = 1 as has_canonical_events,
        max(coalesce(from_listmonk, 0)) = 1 as has_listmonk_events,
        max(coalesce(from_mautic, 0)) = 1 as has_mautic_events
    from recipients
    group by campaign_id
),

known as (
    select
        campaigns.campaign_id,
        case
            when per_campaign.recipients > 0 then per_campaign.recipients
            else campaigns.recipients_reported
        end as recipients,
        coalesce(per_campaign.has_canonical_events, false) as has_canonical_events,
        coalesce(per_campaign.has_canonical_events, false) or coalesce(mautic_columns.reports_bounces, false)
            as knows_hard_bounces,
        coalesce(per_campaign.has_canonical_events, false)
        or coalesce(mautic_columns.reports_unsubscribes, false) as knows_unsubscribes
    from campaigns
    left join per_campaign on campaigns.campaign_id = per_campaign.campaign_id
    left join mautic_columns on campaigns.campaign_id = mautic_columns.campaign_id
),

delivered as (
    select
        known.campaign_id,
        known.recipients - coalesce(per_campaign.bounced, 0) as delivered
    from known
    left join per_campaign on known.campaign_id = per_campaign.campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.sent_at,
        campaigns.year,
        campaigns.topic,
        campaigns.language,
        known.recipients,
        delivered.delivered,
        case when known.knows_hard_bounces then coalesce(per_campaign.hard_bounces, 0) end as hard_bounces,
        case when known.has_canonical_events then coalesce(per_campaign.soft_bounces, 0) end as soft_bounces,
        coalesce(per_campaign.unique_opens, 0) as unique_opens,
        coalesce(per_campaign.unique_human_opens, 0) as unique_human_opens,
        coalesce(per_campaign.unique_human_clicks, 0) as unique_human_clicks,
        coalesce(per_campaign.machine_openers, 0) as machine_openers,
        case when known.knows_unsubscribes then coalesce(per_campaign.unsubscribes, 0) end as unsubscribes,
        case when known.has_canonical_events then coalesce(per_campaign.complaints, 0) end as complaints,
        per_campaign.unique_human_opens * 1.0 / nullif(delivered.delivered, 0) as open_rate,
        per_campaign.unique_human_clicks * 1.0 / nullif(delivered.delivered, 0) as click_rate,
        per_campaign.unique_human_clicks * 1.0 / nullif(per_campaign.unique_human_opens, 0) as click_to_open_rate,
        per_campaign.machine_openers * 1.0 / nullif(delivered.delivered, 0) as machine_open_share,
        coalesce(anonymous_counts.anonymous_opens, 0) as anonymous_opens,
        coalesce(anonymous_counts.anonymous_clicks, 0) as anonymous_clicks,
        -- where the campaign's events come from: the machine rules apply only as far as each export allows
        -- (listmonk has no user agents, Mautic keeps one read per send), so rates differ between sources
        case
            when
                coalesce(per_campaign.has_canonical_events, false)
                and not coalesce(per_campaign.has_listmonk_events, false)
                and not coalesce(per_campaign.has_mautic_events, false)
                then 'canonical'
            when
                coalesce(per_campaign.has_listmonk_events, false)
                and not coalesce(per_campaign.has_canonical_events, false)
                and not coalesce(per_campaign.has_mautic_events, false)
                then 'listmonk'
            when
                coalesce(per_campaign.has_mautic_events, false)
                and not coalesce(per_campaign.has_canonical_events, false)
                and not coalesce(per_campaign.has_listmonk_events, false)
                then 'mautic'
            when per_campaign.campaign_id is not null then 'mixed'
        end as event_source
    from campaigns
    left join per_campaign on campaigns.campaign_id = per_campaign.campaign_id
    left join known on campaigns.campaign_id = known.campaign_id
    left join delivered on campaigns.campaign_id = delivered.campaign_id
    left join anonymous_counts on campaigns.campaign_id = anonymous_counts.campaign_id
)

select * from final

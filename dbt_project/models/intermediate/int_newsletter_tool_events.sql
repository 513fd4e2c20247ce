-- Newsletter events from listmonk and Mautic exports, in the shape of canonical events (TOOLS.md §5, §6).
-- listmonk: each view an open, each click a click (no sends, bounces or user agents in its exports).
-- Mautic: per e-mail sent a `sent`, and an open, a click, a hard bounce, an unsubscribe where the report says so;
-- its `Read delay` under 2 s marks the open and click as machine events, and the seconds-after-send rule is
-- not applied to its rows (its times have minute resolution).
with

campaigns as (
    select * from {{ ref('stg_newsletter__campaigns') }}
),

links as (
    select * from {{ ref('int_newsletter_campaign_links') }}
),

listmonk_events as (
    select * from {{ ref('stg_listmonk__campaign_events') }}
),

mautic_rows as (
    select * from {{ ref('stg_mautic__email_stats') }}
),

listmonk_linked as (
    select
        links.campaign_id,
        listmonk_events.email_hash,
        listmonk_events.action,
        listmonk_events.occurred_at,
        listmonk_events.link,
        false as is_flagged_machine,
        true as applies_send_timing,
        'listmonk' as origin,
        false as reports_bounces,
        false as reports_unsubscribes,
        listmonk_events.loaded_at
    from listmonk_events
    left join links
        on
            listmonk_events.listmonk_campaign_id = links.listmonk_campaign_id
            and listmonk_events.listmonk_campaign_uuid is not distinct from links.listmonk_campaign_uuid
),

-- Mautic links by subject: a campaign with it as `Externe ID`; else the campaigns with it as subject, the one
-- sent nearest to the row's `Date sent`. The choice depends only on subject and time sent, so it is made once
-- per distinct pair (a send to thousands of addresses shares both), and the subjects meet the campaigns in a
-- join of a few hundred rows: joining every row on `subject = external_id or subject = subject` cannot hash
-- and cost most of this model's time at scale 10.
subject_candidates as (
    select
        subjects.subject,
        campaigns.campaign_id,
        campaigns.sent_at as campaign_sent_at,
        case when campaigns.external_id = subjects.subject then 0 else 1 end as link_rank
    from (select distinct subject from mautic_rows) as subjects
    inner join campaigns
        on subjects.subject = campaigns.external_id or subjects.subject = campaigns.subject
),

mautic_candidates as (
    select
        sends.subject,
        sends.sent_at,
        subject_candidates.campaign_id,
        subject_candidates.link_rank,
        abs(extract(epoch from sends.sent_at) - extract(epoch from subject_candidates.campaign_sent_at)) as distance
    from (
        select distinct
            subject,
            sent_at
        from mautic_rows
    ) as sends
    inner join subject_candidates on sends.subject = subject_candidates.subject
),

mautic_links as (
    {{ deduplicate('mautic_candidates', 'subject, sent_at', 'link_rank, distance, campaign_id') }}
),

mautic_linked as (
    select
        mautic_links.campaign_id,
        mautic_rows.*
    from mautic_rows
    inner join mautic_links
        on
            mautic_rows.subject = mautic_links.subject
            and mautic_rows.sent_at = mautic_links.sent_at
),

mautic_events as (
    select
        campaign_id,
        email_hash,
        action,
        occurred_at,
        cast(null as varchar) as link,
        action in ('open', 'click') and coalesce(read_delay_seconds < 2, false) as is_flagged_machine,
        false as applies_send_timing,
        'mautic' as origin,
        reports_bounces,
        reports_unsubscribes,
        loaded_at
    from (
        select
            *,
            'sent' as action,
            sent_at as occurred_at
        from mautic_linked
        union all
        select
            *,
            'open' as action,
            coalesce(read_at, sent_at) as occurred_at
        from mautic_linked
        where is_read
        union all
        select
            *,
            'click' as action,
            coalesce(read_at, sent_at) as occurred_at
        from mautic_linked
        where is_clicked
        union all
        select
            *,
            'hard_bounce' as action,
            sent_at as occurred_at
        from mautic_linked
        where is_bounced
        union all
        select
            *,
            'unsubscribe' as action,
            coalesce(read_at, sent_at) as occurred_at
        from mautic_linked
        where is_unsubscribed
    ) as exploded
),

unioned as (
    select * from listmonk_linked
    where campaign_id is not null
    union all
    select * from mautic_events
),

identified as (
    select
        {{ dbt.hash(dbt.concat(["unioned.origin", "'|'", "unioned.campaign_id", "'|'", "unioned.email_hash", "'|'",
            "unioned.action", "'|'", dbt.safe_cast("unioned.occurred_at", dbt.type_string()), "'|'",
            "coalesce(unioned.link, '')"])) }} as activity_id,
        unioned.*
    from unioned
),

-- the same event twice is one event: two sends of one campaign to one address (a mailbox shared by two
-- contacts) read in the same minute give one open at that minute
deduplicated as (
    {{ deduplicate('identified', 'activity_id', 'is_flagged_machine desc, loaded_at desc') }}
),

final as (
    select
        activity_id,
        campaign_id,
        email_hash,
        action,
        occurred_at,
        link,
        false as is_proxy_user_agent,
        is_flagged_machine,
        applies_send_timing,
        origin,
        reports_bounces,
        reports_unsubscribes,
        loaded_at
    from deduplicated
)

select * from final

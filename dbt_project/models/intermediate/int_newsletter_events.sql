-- Newsletter events classified human or machine (METRICS.md "Machine event") and matched to members.
-- A machine event: flagged by the tool; an open by the Apple proxy user agent; an open or click less than
-- 2 seconds after that recipient's `sent`; or a click among 3+ distinct links of one address within 2 s.
{{ config(materialized='table') }}

with

activities as (
    select * from {{ ref('stg_newsletter__activities') }}
),

campaigns as (
    select * from {{ ref('stg_newsletter__campaigns') }}
),

sent_times as (
    select
        campaign_id,
        email_hash,
        min(occurred_at) as recipient_sent_at
    from activities
    where action = 'sent'
    group by campaign_id, email_hash
),

clicks as (
    select
        activity_id,
        campaign_id,
        email_hash,
        occurred_at,
        link
    from activities
    where action = 'click'
),

-- for each click as the start of a 2-second window: how many distinct links fall in it
scanner_windows as (
    select
        anchor.campaign_id,
        anchor.email_hash,
        anchor.occurred_at as window_start,
        count(distinct other.link) as links_in_window
    from clicks as anchor
    inner join clicks as other
        on
            anchor.campaign_id = other.campaign_id
            and anchor.email_hash = other.email_hash
            and anchor.occurred_at <= other.occurred_at
            and other.occurred_at <= {{ dbt.dateadd('second', 2, 'anchor.occurred_at') }}
    group by anchor.campaign_id, anchor.email_hash, anchor.occurred_at
),

scanner_clicks as (
    select distinct clicks.activity_id
    from clicks
    inner join scanner_windows
        on
            clicks.campaign_id = scanner_windows.campaign_id
            and clicks.email_hash = scanner_windows.email_hash
            and clicks.occurred_at >= scanner_windows.window_start
            and clicks.occurred_at <= {{ dbt.dateadd('second', 2, 'scanner_windows.window_start') }}
    where scanner_windows.links_in_window >= 3
),

classified as (
    select
        activities.activity_id,
        activities.campaign_id,
        activities.email_hash,
        activities.action,
        activities.occurred_at,
        cast({{ to_berlin('activities.occurred_at') }} as date) as occurred_on,
        activities.link,
        campaigns.topic,
        activities.action in ('open', 'click') and (
            activities.is_flagged_machine
            or (activities.action = 'open' and activities.is_proxy_user_agent)
            or (
                extract(epoch from activities.occurred_at) - extract(epoch from sent_times.recipient_sent_at) < 2
            )
            or scanner_clicks.activity_id is not null
        ) as is_machine
    from activities
    left join campaigns on activities.campaign_id = campaigns.campaign_id
    left join sent_times
        on activities.campaign_id = sent_times.campaign_id and activities.email_hash = sent_times.email_hash
    left join scanner_clicks on activities.activity_id = scanner_clicks.activity_id
),

matched as (
    {{ match_member('classified', 'activity_id', 'occurred_on') }}
),

final as (
    select
        matched.activity_id,
        matched.campaign_id,
        matched.email_hash,
        matched.action,
        matched.occurred_at,
        matched.occurred_on,
        matched.link,
        matched.topic,
        coalesce(matched.is_machine, false) as is_machine,
        matched.matched_key as alumni_key,
        coalesce(attributes.has_tracking_consent, false) as has_tracking_consent
    from matched
    left join {{ ref('int_member_snapshot_intervals') }} as attributes
        on
            matched.matched_key = attributes.alumni_key
            and matched.occurred_on >= attributes.valid_from
            and matched.occurred_on < attributes.valid_to
)

select * from final

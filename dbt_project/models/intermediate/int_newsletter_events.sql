-- Newsletter events classified human or machine (METRICS.md "Machine event").
-- A machine event: flagged by the tool; an open by the Apple proxy user agent; an open or click less than
-- 2 seconds after that recipient's `sent`; or a click among 3+ distinct links of one address within 2 s.
--
-- Events come from the canonical activity exports and from listmonk and Mautic (int_newsletter_tool_events);
-- `origin` says which, and the seconds-after-send rule applies only where the tool's times allow it.
--
-- Incremental by campaign: every rule looks only at one address within one campaign, so a run rebuilds whole
-- the campaigns whose inputs changed and keeps the rest: canonical rows loaded since the last build (an
-- overlapping export of an old campaign included), the campaign itself loaded again (its topic), and tool
-- events that differ from the ones built (a tool's rows are linked to a campaign here, so a campaign loaded
-- later can take over older rows: both campaigns are rebuilt). Every row of a rebuilt campaign is replaced
-- (unique_key campaign_id); a campaign left without any tool event loses its tool rows in a post-hook, as
-- erased addresses lose theirs. `built_at` says which build wrote a row: int_newsletter_recipients rebuilds
-- the campaigns written since its own last build. Columns added since the first release are appended to an
-- existing table (its older rows are all canonical: `origin` empty; `built_at` empty).
{{ config(
    materialized='incremental',
    unique_key='campaign_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook=[
        "delete from {{ this }} where email_hash in (select hash from {{ source('meta', 'erased_identities') }})",
        "delete from {{ this }} where coalesce(origin, 'canonical') <> 'canonical'
            and campaign_id not in (
                select distinct campaign_id from {{ ref('int_newsletter_tool_events') }} where campaign_id is not null
            )"
    ]
) }}

with

{% if is_incremental() %}
    {% set changed_campaigns = (
        campaigns_loaded_since_last_build(source('raw', 'newsletter_activity'), '_loaded_at') | list
        + campaigns_loaded_since_last_build(source('raw', 'newsletter_campaigns'), '_loaded_at') | list
        + campaigns_with_changed_tool_events(ref('int_newsletter_tool_events')) | list
    ) | unique | list | sort %}
{% endif %}

-- every canonical event as read, a repeated row of overlapping exports included: `timed` counts each once
canonical_activities as (
    select * from {{ ref('stg_newsletter__activity_rows') }}
    {% if is_incremental() %}
        where campaign_id in ({{ literal_list(changed_campaigns) }})
    {% endif %}
),

-- read by `activities` and by the clicks: not materialised, each reads the table (with its filter) as it needs
tool_activities as not materialized (
    select * from {{ ref('int_newsletter_tool_events') }}
    {% if is_incremental() %}
        where campaign_id in ({{ literal_list(changed_campaigns) }})
    {% endif %}
),

activities as (
    select
        activity_id,
        campaign_id,
        email_hash,
        action,
        occurred_at,
        link,
        is_proxy_user_agent,
        is_flagged_machine,
        true as applies_send_timing,
        'canonical' as origin,
        _loaded_at as loaded_at
    from canonical_activities
    union all
    select
        activity_id,
        campaign_id,
        email_hash,
        action,
        occurred_at,
        link,
        is_proxy_user_agent,
        is_flagged_machine,
        applies_send_timing,
        origin,
        loaded_at
    from tool_activities
),

campaigns as (
    select * from {{ ref('stg_newsletter__campaigns') }}
),

-- Each event once, with its recipient's first `sent` of the campaign: one window over the events as they stream by
-- (`activities` is read once, not materialised), which does two things in one sort. It counts a canonical event
-- once, as overlapping exports repeat it: of the rows of one activity_id (its campaign, address, action, time and
-- link) the tool's machine flag first, then the first loaded, the row whose predecessor in the window's order is
-- another event (a tool's events are each one row already). And it finds the recipient's first send, over the whole
-- partition (the copies of a send share its time). One sort instead of two windows of their own: the query at
-- scale 10 16.8-16.9 s instead of 19.1-20.2 s, the same rows (docs/benchmarks.md, thirty-fifth pass). An event
-- without a campaign or an address has no first send: the window's partition of events without a campaign is not
-- one campaign.
windowed as (
    select
        activities.*,
        min(activities.occurred_at) filter (
            where
            activities.action = 'sent'
            and activities.campaign_id is not null
            and activities.email_hash is not null
        ) over (recipient_events rows between unbounded preceding and unbounded following) as recipient_sent_at,
        lag(activities.origin) over recipient_events as previous_origin,
        lag(activities.activity_id) over recipient_events as previous_activity_id
    from activities
    window recipient_events as (
        partition by activities.campaign_id, activities.email_hash
        order by
            activities.origin asc,
            activities.activity_id asc,
            activities.is_flagged_machine desc,
            activities.loaded_at asc
    )
),

timed as (
    select *
    from windowed
    where
        origin <> 'canonical'
        or previous_origin is distinct from origin
        or previous_activity_id is distinct from activity_id
),

-- The scanner rule's clicks, read apart from `activities` for the same reason, and for the canonical events before
-- their deduplication: the copies of an event share its campaign, address, time and link (they make its
-- activity_id), so they change neither the distinct links of a window nor which events are scanner clicks.
-- Materialised: the rule reads them three times, and they are about 6 % of the events.
clicks as materialized (
    select
        activity_id,
        campaign_id,
        email_hash,
        occurred_at,
        link
    from {{ ref('stg_newsletter__activity_rows') }}
    where action = 'click'
    {% if is_incremental() %}
        and campaign_id in ({{ literal_list(changed_campaigns) }})
    {% endif %}
    union all
    select
        activity_id,
        campaign_id,
        email_hash,
        occurred_at,
        link
    from tool_activities
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
        {{ berlin_date('activities.occurred_at') }} as occurred_on,
        activities.link,
        campaigns.topic,
        activities.action in ('open', 'click') and (
            activities.is_flagged_machine
            or (activities.action = 'open' and activities.is_proxy_user_agent)
            or (
                activities.applies_send_timing
                and extract(epoch from activities.occurred_at) - extract(epoch from activities.recipient_sent_at) < 2
            )
            or scanner_clicks.activity_id is not null
        ) as is_machine,
        activities.origin,
        activities.loaded_at
    from timed as activities
    left join campaigns on activities.campaign_id = campaigns.campaign_id
    left join scanner_clicks on activities.activity_id = scanner_clicks.activity_id
),

final as (
    select
        classified.activity_id,
        classified.campaign_id,
        classified.email_hash,
        classified.action,
        classified.occurred_at,
        classified.occurred_on,
        classified.link,
        classified.topic,
        coalesce(classified.is_machine, false) as is_machine,
        classified.loaded_at,
        classified.origin,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as built_at
    from classified
)

select * from final

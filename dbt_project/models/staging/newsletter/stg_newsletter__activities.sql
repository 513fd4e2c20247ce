-- One row per recipient event. The same event in two overlapping exports counts once.
-- Only the keyed address hash leaves raw; the user agent is reduced to the one fact the metrics need.
with

source as (
    select * from {{ source('raw', 'newsletter_activity') }}
    where email_hash is not null
),

renamed as (
    select
        {{ dbt.hash(dbt.concat(["source.campaign_id", "'|'", "source.email_hash", "'|'", "source.action", "'|'",
            dbt.safe_cast("source.occurred_at", dbt.type_string()), "'|'",
            "coalesce(source.link, '')"])) }} as activity_id,
        source.campaign_id,
        source.email_hash,
        source.action,
        source.occurred_at,
        source.link,
        coalesce(source.user_agent = 'Mozilla/5.0', false) as is_proxy_user_agent,
        coalesce(source.machine_flag, false) as is_flagged_machine,
        source._loaded_at
    from source
),

deduplicated as (
    -- campaign_id is part of activity_id; partitioning by it too lets a filter on campaigns reach the scan
    {{ deduplicate('renamed', 'campaign_id, activity_id', 'is_flagged_machine desc, _loaded_at') }}
),

final as (
    select
        activity_id,
        campaign_id,
        email_hash,
        action,
        occurred_at,
        link,
        is_proxy_user_agent,
        is_flagged_machine,
        _loaded_at as loaded_at
    from deduplicated
)

select * from final

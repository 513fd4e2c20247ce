-- One row per recipient event. The same event in two overlapping exports counts once.
with

renamed as (
    select * from {{ ref('stg_newsletter__activity_rows') }}
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

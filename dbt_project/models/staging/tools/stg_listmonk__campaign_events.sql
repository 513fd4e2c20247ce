-- One row per identified listmonk view (open) or click: the same row in overlapping downloads is one event
-- (campaign, address, url, time). Anonymous rows (individual tracking off) are counted in
-- stg_listmonk__anonymous_events instead: they belong to no address.
with

views as (
    select * from {{ source('raw', 'listmonk_campaign_views') }}
    where email_hash is not null
),

clicks as (
    select * from {{ source('raw', 'listmonk_campaign_clicks') }}
    where email_hash is not null
),

unioned as (
    select
        views.campaign_id as listmonk_campaign_id,
        views.campaign_uuid as listmonk_campaign_uuid,
        views.email_hash,
        'open' as action,
        views.created_at as occurred_at,
        cast(null as varchar) as link,
        views._loaded_at
    from views
    union all
    select
        clicks.campaign_id as listmonk_campaign_id,
        clicks.campaign_uuid as listmonk_campaign_uuid,
        clicks.email_hash,
        'click' as action,
        clicks.created_at as occurred_at,
        clicks.url as link,
        clicks._loaded_at
    from clicks
),

deduplicated as (
    {{ deduplicate('unioned', "listmonk_campaign_id, email_hash, action, occurred_at, coalesce(link, '')",
        '_loaded_at') }}
),

final as (
    select
        listmonk_campaign_id,
        listmonk_campaign_uuid,
        email_hash,
        action,
        occurred_at,
        link,
        _loaded_at as loaded_at
    from deduplicated
)

select * from final

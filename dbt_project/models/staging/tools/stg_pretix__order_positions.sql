-- One row per pretix order position (event slug, order code, position): the latest export wins (TOOLS.md §8),
-- so a position cancelled in a later download is cancelled, whatever order the files were loaded in.
with

source as (
    select * from {{ source('raw', 'pretix_order_positions') }}
),

renamed as (
    select
        source.event_ref as event_slug,
        source.order_code,
        source.position_id,
        lower(coalesce(source.status, '')) as pretix_status,
        source.email_hash,
        source.ordered_at,
        coalesce(source.addon_to, '') <> '' as is_addon,
        source._exported_at,
        source._loaded_at
    from source
),

deduplicated as (
    {{ deduplicate('renamed', 'event_slug, order_code, position_id', '_exported_at desc nulls last, _loaded_at desc') }}
),

final as (
    select
        event_slug,
        order_code,
        position_id,
        pretix_status,
        email_hash,
        ordered_at,
        is_addon
    from deduplicated
)

select * from final

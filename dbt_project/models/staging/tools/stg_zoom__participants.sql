-- One row per Zoom join session (webinar, section, address, join time): the latest export wins (TOOLS.md §8).
-- Only the keyed address leaves raw; user names stay there.
with

source as (
    select * from {{ source('raw', 'zoom_webinar_participants') }}
    where email_hash is not null
),

renamed as (
    select
        source.webinar_ref as webinar_id,
        source.section,
        source.email_hash,
        coalesce(source.attended, false) as has_attended,
        source.registered_at,
        source.joined_at,
        source._exported_at,
        source._loaded_at,
        source._line
    from source
),

deduplicated as (
    {{ deduplicate('renamed', "webinar_id, section, email_hash, coalesce(cast(joined_at as varchar), '')",
        '_exported_at desc nulls last, _loaded_at desc, has_attended desc, _line') }}
),

final as (
    select
        webinar_id,
        section,
        email_hash,
        has_attended,
        registered_at,
        joined_at
    from deduplicated
)

select * from final

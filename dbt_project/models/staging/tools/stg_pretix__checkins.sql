-- One row per pretix check-in seen: entries with result OK from the check-in log, and check-in list rows with a
-- time (matched to their registration's position at ingest). Exits and failed scans count for nothing.
-- A list row is the same record in every download of the list: the latest export wins (TOOLS.md §8).
with

scans as (
    select * from {{ source('raw', 'pretix_checkin_log') }}
),

list_rows as (
    select * from {{ source('raw', 'pretix_checkin_list') }}
),

entries as (
    select
        scans.event_ref as event_slug,
        scans.order_code,
        scans.position_id,
        scans.scanned_at as checked_in_at,
        'log' as checkin_source
    from scans
    where lower(scans.scan_type) in ('entry', 'eingang') and upper(scans.result) = 'OK'
),

listed as (
    select
        list_rows.event_ref as event_slug,
        list_rows.order_code,
        list_rows.position_id,
        list_rows.checked_in_at,
        list_rows.attendee_name,
        list_rows.product,
        list_rows._exported_at,
        list_rows._loaded_at,
        list_rows._line
    from list_rows
),

latest_list as (
    {{ deduplicate('listed', 'event_slug, order_code, attendee_name, product',
        '_exported_at desc nulls last, _loaded_at desc, checked_in_at nulls last, _line') }}
),

final as (
    select
        event_slug,
        order_code,
        position_id,
        checked_in_at,
        checkin_source
    from entries
    union all
    select
        event_slug,
        order_code,
        position_id,
        checked_in_at,
        'list' as checkin_source
    from latest_list
    where checked_in_at is not null and position_id is not null
)

select * from final

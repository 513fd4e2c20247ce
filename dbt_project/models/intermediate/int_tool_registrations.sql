-- Registrations from the tools' exports, in the shape of canonical registrations (TOOLS.md §3, §4):
-- pretix: one per order position that is not an add-on, checked in by its earliest OK entry scan (a check-in
-- list row only where the log has none); Zoom: one per webinar and address, as speaker where the address is a
-- panelist, checked in at the earliest join of a row that attended. Tool rows link to the catalogue by its
-- `Externe ID`, else by the catalogue's own event id.
with

events as (
    select * from {{ ref('stg_events__events') }}
),

positions as (
    select * from {{ ref('stg_pretix__order_positions') }}
    where not is_addon
),

checkins as (
    select * from {{ ref('stg_pretix__checkins') }}
),

participants as (
    select * from {{ ref('stg_zoom__participants') }}
    where section in ('panelist', 'attendee')
),

-- the catalogue entry a tool identifier stands for: its `Externe ID` first, else its event id
event_links as (
    select
        link_key,
        event_id
    from (
        select
            link_key,
            event_id,
            row_number() over (partition by link_key order by link_rank) as link_row
        from (
            select
                external_id as link_key,
                event_id,
                1 as link_rank
            from events
            where external_id is not null
            union all
            select
                regexp_replace(external_id, '\D', '', 'g') as link_key,
                event_id,
                2 as link_rank
            from events
            where external_id is not null
            union all
            select
                event_id as link_key,
                event_id,
                3 as link_rank
            from events
        ) as candidates
    ) as ranked
    where link_row = 1
),

first_checkins as (
    select
        event_slug,
        order_code,
        position_id,
        -- a scan of the log is the true entry; the list shows only the last check-in
        coalesce(
            min(case when checkin_source = 'log' then checked_in_at end),
            min(checked_in_at)
        ) as checked_in_at
    from checkins
    group by event_slug, order_code, position_id
),

pretix_registrations as (
    select
        'pretix:' || positions.event_slug || ':' || positions.order_code || '-' || positions.position_id
            as registration_id,
        event_links.event_id,
        cast(null as varchar) as alumni_key,
        positions.email_hash,
        {{ berlin_date('positions.ordered_at') }} as registered_on,
        (
            positions.pretix_status like 'canceled%'
            or positions.pretix_status like 'storniert%'
            or positions.pretix_status in ('expired', 'abgelaufen')
        ) as is_cancelled,
        first_checkins.checked_in_at,
        'participant' as role
    from positions
    inner join event_links on positions.event_slug = event_links.link_key
    left join first_checkins
        on
            positions.event_slug = first_checkins.event_slug
            and positions.order_code = first_checkins.order_code
            and positions.position_id = first_checkins.position_id
),

zoom_people as (
    select
        webinar_id,
        email_hash,
        max(case when section = 'panelist' then 1 else 0 end) = 1 as is_panelist,
        min(registered_at) as registered_at,
        min(case when section = 'panelist' then joined_at end) as panelist_joined_at,
        min(case when section = 'attendee' and has_attended then joined_at end) as attendee_joined_at
    from participants
    group by webinar_id, email_hash
),

zoom_registrations as (
    select
        'zoom:' || zoom_people.webinar_id || ':' || zoom_people.email_hash as registration_id,
        event_links.event_id,
        cast(null as varchar) as alumni_key,
        zoom_people.email_hash,
        {{ berlin_date('zoom_people.registered_at') }} as registered_on,
        false as is_cancelled,
        case
            when zoom_people.is_panelist then coalesce(zoom_people.panelist_joined_at, zoom_people.attendee_joined_at)
            else zoom_people.attendee_joined_at
        end as checked_in_at,
        case when zoom_people.is_panelist then 'speaker' else 'participant' end as role
    from zoom_people
    inner join event_links on zoom_people.webinar_id = event_links.link_key
),

final as (
    select * from pretix_registrations
    union all
    select * from zoom_registrations
)

select * from final

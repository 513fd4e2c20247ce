-- One row per event (METRICS.md "Events").
with

events as (
    select * from {{ ref('dim_events') }}
),

registrations as (
    select * from {{ ref('int_registrations') }}
),

-- the earliest event each member ever attended, in any role
first_attendance as (
    select
        alumni_key,
        event_id
    from (
        select
            registrations.alumni_key,
            registrations.event_id,
            row_number() over (
                partition by registrations.alumni_key
                order by events.starts_at, registrations.event_id
            ) as attendance_seq
        from registrations
        inner join events on registrations.event_id = events.event_id
        where registrations.is_attended and registrations.alumni_key is not null
    ) as ordered
    where attendance_seq = 1
),

per_event as (
    select
        registrations.event_id,
        count(*) as registrations,
        sum(case when registrations.is_cancelled then 1 else 0 end) as cancellations,
        sum(case when registrations.is_attended then 1 else 0 end) as attendees,
        count(distinct case when registrations.is_attended then registrations.alumni_key end) as alumni_attendees,
        count(distinct case when registrations.is_attended and registrations.role = 'speaker'
                then coalesce(registrations.alumni_key, registrations.registration_id)
        end) as speakers
    from registrations
    group by registrations.event_id
),

first_timers as (
    select
        event_id,
        count(*) as first_time_attendees
    from first_attendance
    group by event_id
),

final as (
    select
        events.event_id,
        events.event_type,
        events.starts_on,
        events.year,
        events.city,
        events.format,
        events.organiser,
        events.club_id,
        coalesce(per_event.registrations, 0) as registrations,
        coalesce(per_event.cancellations, 0) as cancellations,
        coalesce(per_event.attendees, 0) as attendees,
        (per_event.registrations - per_event.cancellations - per_event.attendees) * 1.0
        / nullif(per_event.registrations - per_event.cancellations, 0) as no_show_rate,
        coalesce(per_event.alumni_attendees, 0) as alumni_attendees,
        coalesce(first_timers.first_time_attendees, 0) as first_time_attendees,
        coalesce(per_event.speakers, 0) as speakers
    from events
    left join per_event on events.event_id = per_event.event_id
    left join first_timers on events.event_id = first_timers.event_id
)

select * from final

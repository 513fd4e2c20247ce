-- One row per year and event type: the attendance figures of METRICS.md "Events" over the year's events
-- (no_show_rate from the summed counts, with the same formula as per event).
with

events as (
    select * from {{ ref('fct_event_attendance') }}
),

final as (
    select
        events.year,
        events.event_type,
        count(*) as events,
        sum(events.registrations) as registrations,
        sum(events.cancellations) as cancellations,
        sum(events.attendees) as attendees,
        (sum(events.registrations) - sum(events.cancellations) - sum(events.attendees)) * 1.0
        / nullif(sum(events.registrations) - sum(events.cancellations), 0) as no_show_rate,
        sum(events.first_time_attendees) as first_time_attendees,
        sum(events.speakers) as speakers
    from events
    group by events.year, events.event_type
)

select * from final

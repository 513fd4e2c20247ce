-- One row per event (its logic in int_events, which the strategy KPIs read too). starts_at in
-- Europe/Berlin local time.
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events') }}
),

final as (
    select
        event_id,
        event_type,
        starts_at,
        starts_on,
        year,
        city,
        country_code,
        format,
        organiser,
        club_id,
        faculty_code
    from events
)

select * from final

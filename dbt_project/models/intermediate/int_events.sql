-- One row per event. starts_at in Europe/Berlin local time.
-- Published as dim_events; here so that intermediate models (the strategy KPIs) need not read a mart.
with

events as (
    select * from {{ ref('stg_events__events') }}
),

final as (
    select
        event_id,
        event_type,
        {{ to_berlin('starts_at') }} as starts_at,
        {{ berlin_date('starts_at') }} as starts_on,
        cast({{ reporting_year(to_berlin('starts_at')) }} as integer) as year,
        city,
        country_code,
        format,
        organiser,
        club_id,
        faculty_code
    from events
)

select * from final

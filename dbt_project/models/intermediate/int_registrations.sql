-- Event registrations with their event and the member behind them (by member id, else by address): the
-- canonical attendance exports and the registrations read from pretix and Zoom exports.
with

canonical_registrations as (
    select * from {{ ref('stg_events__registrations') }}
),

tool_registrations as (
    select * from {{ ref('int_tool_registrations') }}
),

registrations as (
    select
        registration_id,
        event_id,
        alumni_key,
        email_hash,
        registered_on,
        is_cancelled,
        checked_in_at,
        role
    from canonical_registrations
    union all
    select
        registration_id,
        event_id,
        alumni_key,
        email_hash,
        registered_on,
        is_cancelled,
        checked_in_at,
        role
    from tool_registrations
),

events as (
    select * from {{ ref('stg_events__events') }}
),

joined as (
    select
        registrations.*,
        events.event_type,
        events.city as event_city,
        events.country_code as event_country_code,
        events.starts_at as event_starts_at,
        {{ berlin_date('events.starts_at') }} as event_on
    from registrations
    inner join events on registrations.event_id = events.event_id
),

matched as (
    {{ match_member('joined', 'registration_id', 'event_on', key_column='alumni_key') }}
),

final as (
    select
        registration_id,
        event_id,
        event_type,
        event_city,
        event_country_code,
        event_on,
        matched_key as alumni_key,
        is_cancelled,
        checked_in_at is not null as is_attended,
        checked_in_at,
        role
    from matched
)

select * from final

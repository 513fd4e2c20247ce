-- One row per alumni club, as in its latest clubs snapshot.
-- Published as dim_clubs; here so that int_club_activity_quarterly need not read a mart.
with

snapshots as (
    select * from {{ ref('stg_clubs__club_snapshots') }}
),

latest as (
    {{ deduplicate('snapshots', 'club_id', 'snapshot_on desc') }}
),

first_seen as (
    select
        club_id,
        min(snapshot_on) as first_seen_on
    from snapshots
    group by club_id
),

final as (
    select
        latest.club_id,
        latest.club_name,
        latest.city,
        latest.country_code,
        coalesce(latest.founded_on, first_seen.first_seen_on) as founded_on,
        latest.status,
        latest.ambassador_key is not null as has_ambassador,
        latest.latitude,
        latest.longitude
    from latest
    inner join first_seen on latest.club_id = first_seen.club_id
)

select * from final

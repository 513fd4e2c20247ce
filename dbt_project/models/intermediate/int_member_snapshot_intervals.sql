-- Attributes on day d (METRICS.md): those of the latest snapshot on or before d; before a member's first
-- snapshot, those of the first. Each snapshot row is valid from its date (the first from the beginning of
-- time) until the member's next snapshot.
with

snapshots as (
    select * from {{ ref('stg_portal__member_snapshots') }}
),

saxony as (
    select municipality from {{ ref('saxon_municipalities') }}
),

ordered as (
    select
        snapshots.*,
        row_number() over (partition by snapshots.alumni_key order by snapshots.snapshot_on) as snapshot_seq,
        lead(snapshots.snapshot_on) over (
            partition by snapshots.alumni_key order by snapshots.snapshot_on
        ) as next_snapshot_on
    from snapshots
),

final as (
    select
        ordered.alumni_key,
        ordered.snapshot_on,
        case when ordered.snapshot_seq = 1 then cast('1900-01-01' as date) else ordered.snapshot_on end as valid_from,
        coalesce(ordered.next_snapshot_on, cast('9999-12-31' as date)) as valid_to,
        ordered.email_hash,
        ordered.status_group,
        ordered.faculty_code,
        ordered.degree,
        ordered.graduation_year,
        ordered.country_code,
        ordered.city,
        ordered.registered_on,
        ordered.has_newsletter_consent,
        ordered.has_tracking_consent,
        ordered.has_contact_consent,
        ordered.club_id,
        case
            when ordered.country_code is null then 'unknown'
            when ordered.country_code <> 'DE' then 'abroad'
            when lower(trim(ordered.city)) = 'chemnitz' then 'chemnitz'
            when saxony.municipality is not null then 'saxony'
            else 'germany'
        end as region
    from ordered
    left join saxony on trim(ordered.city) = saxony.municipality
)

select * from final

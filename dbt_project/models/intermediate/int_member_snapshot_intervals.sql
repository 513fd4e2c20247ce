-- Attributes on day d (METRICS.md): those of the latest snapshot on or before d; before a member's first
-- snapshot, those of the first. Each snapshot row is valid from its date (the first from the beginning of
-- time) until the member's next snapshot.
--
-- Incremental: a run rebuilds the rows from the earliest snapshot date loaded since the last build onwards,
-- and each member's row that reaches into that date (it now ends at the member's next snapshot). Rows whose
-- snapshot row is gone (a date exported again without the member, an erased person) are deleted afterwards.
{{ config(
    materialized='incremental',
    unique_key=['alumni_key', 'snapshot_on'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where not exists (select 1 from {{ ref('stg_portal__member_snapshots') }} as kept
            where kept.alumni_key = {{ this }}.alumni_key and kept.snapshot_on = {{ this }}.snapshot_on)"
    ]
) }}

with

snapshots as (
    select * from {{ ref('stg_portal__member_snapshots') }}
),

saxony as (
    select municipality from {{ ref('saxon_municipalities') }}
),

{% if is_incremental() %}
    cutoff as (
        select min(snapshots.snapshot_on) as snapshot_on
        from snapshots
        where snapshots.loaded_at > (
            select coalesce(max(built.loaded_at), cast('1900-01-01' as timestamp)) from {{ this }} as built
        )
    ),
{% endif %}

fresh as (
    select
        snapshots.alumni_key,
        snapshots.snapshot_on,
        cast(null as date) as kept_valid_from,
        snapshots.email_hash,
        snapshots.status_group,
        snapshots.faculty_code,
        snapshots.degree,
        snapshots.graduation_year,
        snapshots.country_code,
        snapshots.city,
        snapshots.registered_on,
        snapshots.has_newsletter_consent,
        snapshots.has_tracking_consent,
        snapshots.has_contact_consent,
        snapshots.club_id,
        case
            when snapshots.country_code is null then 'unknown'
            when snapshots.country_code <> 'DE' then 'abroad'
            when lower(trim(snapshots.city)) = 'chemnitz' then 'chemnitz'
            when saxony.municipality is not null then 'saxony'
            else 'germany'
        end as region,
        snapshots.loaded_at
    from snapshots
    left join saxony on trim(snapshots.city) = saxony.municipality
    {% if is_incremental() %}
        where snapshots.snapshot_on >= (select cutoff.snapshot_on from cutoff)
    {% endif %}
),

candidates as (
    select * from fresh
    {% if is_incremental() %}
        -- each member's row that reaches into the cutoff: kept as built, except where it ends
        union all
        select
            built.alumni_key,
            built.snapshot_on,
            built.valid_from as kept_valid_from,
            built.email_hash,
            built.status_group,
            built.faculty_code,
            built.degree,
            built.graduation_year,
            built.country_code,
            built.city,
            built.registered_on,
            built.has_newsletter_consent,
            built.has_tracking_consent,
            built.has_contact_consent,
            built.club_id,
            built.region,
            built.loaded_at
        from {{ this }} as built
        where
            built.snapshot_on < (select cutoff.snapshot_on from cutoff)
            and built.valid_to >= (select cutoff.snapshot_on from cutoff)
    {% endif %}
),

ordered as (
    select
        candidates.*,
        row_number() over (partition by candidates.alumni_key order by candidates.snapshot_on) as snapshot_seq,
        lead(candidates.snapshot_on) over (
            partition by candidates.alumni_key order by candidates.snapshot_on
        ) as next_snapshot_on
    from candidates
),

final as (
    select
        alumni_key,
        snapshot_on,
        case
            when kept_valid_from is not null then kept_valid_from
            when snapshot_seq = 1 then cast('1900-01-01' as date)
            else snapshot_on
        end as valid_from,
        coalesce(next_snapshot_on, cast('9999-12-31' as date)) as valid_to,
        email_hash,
        status_group,
        faculty_code,
        degree,
        graduation_year,
        country_code,
        city,
        registered_on,
        has_newsletter_consent,
        has_tracking_consent,
        has_contact_consent,
        club_id,
        region,
        loaded_at
    from ordered
)

select * from final

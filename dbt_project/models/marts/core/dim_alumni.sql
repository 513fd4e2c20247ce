-- One row per member ever registered (erased ones are gone from raw before anything is computed).
-- Attributes of the latest snapshot; left_on and is_active from the membership spells.
with

attributes as (
    select * from {{ ref('int_member_snapshot_intervals') }}
),

spells as (
    select * from {{ ref('int_member_spells') }}
),

clubs as (
    select * from {{ ref('dim_clubs') }}
),

latest_snapshot as (
    select max(snapshot_on) as snapshot_on from attributes
),

latest_attributes as (
    select * from attributes where valid_to = cast('9999-12-31' as date)
),

last_spell as (
    select spells.*
    from spells
    inner join (
        select alumni_key, max(spell_no) as spell_no from spells group by alumni_key
    ) as last_spell_no
        on spells.alumni_key = last_spell_no.alumni_key and spells.spell_no = last_spell_no.spell_no
),

ambassadors as (
    select distinct ambassador_key from {{ ref('stg_clubs__club_snapshots') }}
    where snapshot_on = (select max(snapshot_on) from {{ ref('stg_clubs__club_snapshots') }})
        and ambassador_key is not null
),

final as (
    select
        latest_attributes.alumni_key,
        latest_attributes.status_group,
        latest_attributes.faculty_code,
        latest_attributes.degree,
        latest_attributes.graduation_year,
        latest_attributes.country_code,
        latest_attributes.region,
        latest_attributes.club_id,
        ambassadors.ambassador_key is not null as is_ambassador,
        latest_attributes.registered_on,
        last_spell.ends_on as left_on,
        last_spell.starts_on <= latest_snapshot.snapshot_on
        and (last_spell.ends_on is null or last_spell.ends_on > latest_snapshot.snapshot_on) as is_active,
        latest_attributes.has_newsletter_consent,
        latest_attributes.has_tracking_consent,
        latest_attributes.has_contact_consent,
        latest_attributes.email_hash is not null as has_email
    from latest_attributes
    cross join latest_snapshot
    inner join last_spell on latest_attributes.alumni_key = last_spell.alumni_key
    left join ambassadors on latest_attributes.alumni_key = ambassadors.ambassador_key
)

select * from final

-- Who was a member on each key date, with the attributes of that day and whether they were contactable:
-- a member with an address that had no hard bounce and no complaint up to that day (METRICS.md). The address
-- itself is not kept: eight million rows of it would cost more to write than every reader of this table needs.
with

key_dates as (
    select distinct as_of from {{ ref('int_key_dates') }}
),

spells as (
    select * from {{ ref('int_member_spells') }}
),

attributes as (
    select * from {{ ref('int_member_snapshot_intervals') }}
),

undeliverable as (
    select
        email_hash,
        min(occurred_on) as first_bad_on
    from {{ ref('int_newsletter_events') }}
    where action in ('hard_bounce', 'complaint')
    group by email_hash
),

members_on_day as (
    select distinct
        key_dates.as_of,
        spells.alumni_key
    from key_dates
    inner join spells
        on key_dates.as_of >= spells.starts_on and (spells.ends_on is null or key_dates.as_of < spells.ends_on)
),

final as (
    select
        members_on_day.as_of,
        members_on_day.alumni_key,
        attributes.status_group,
        attributes.faculty_code,
        attributes.country_code,
        attributes.region,
        attributes.club_id,
        attributes.has_newsletter_consent,
        attributes.has_contact_consent,
        attributes.email_hash is not null
        and (undeliverable.first_bad_on is null or undeliverable.first_bad_on > members_on_day.as_of)
            as is_contactable
    from members_on_day
    left join attributes
        on
            members_on_day.alumni_key = attributes.alumni_key
            and members_on_day.as_of >= attributes.valid_from
            and members_on_day.as_of < attributes.valid_to
    left join undeliverable on attributes.email_hash = undeliverable.email_hash
)

select * from final

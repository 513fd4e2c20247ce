-- Who was a member on each key date, with the attributes of that day and whether they were contactable:
-- a member with an address that had no hard bounce and no complaint up to that day (METRICS.md). The address
-- itself is not kept: eight million rows of it would cost more to write than every reader of this table needs.
--
-- Incremental (it read the whole history on every run: 8 million rows at scale 10, a minute of a month's run
-- at scale 50). A month adds a snapshot after the last one, a few key dates, new bounces. A run rebuilds:
--   - every member's rows from the first new snapshot date on (`since`): a new snapshot changes a spell only
--     from its own date (who is missing from it leaves that day) and the attributes from that date;
--   - the rows of key dates not built yet (a new quarter, the running period's day);
--   - all rows of the members whose earlier rows may change (macros/incremental_key_dates.sql says which: new
--     members, earlier registration dates, `Abgemeldet am`, addresses whose first bounce changed), and of
--     members without rows;
-- after its pre-hook has removed those rows, and the rows of days no longer key dates and of erased people.
-- Anything else (a snapshot date up to the last built one loaded again, loaded late or gone) rebuilds it all.
-- Every row says which build wrote it and from what (the last four columns): the next run's plan reads them.
-- Tested against a full rebuild in tests/pipeline/test_cli_pipeline.py.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ members_on_key_dates_forget() }}"
) }}

{% set plan = members_on_key_dates_plan() %}

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
        first_bad_on
    from {{ ref('int_undeliverable_addresses') }}
    where first_bad_on is not null
),

-- A member's spells do not overlap unless a portal's `Abgemeldet am` lies after the member's return; they are
-- merged into periods of membership first, so that a day falls into at most one of them: a `select distinct`
-- over the key dates' rows (8 million at scale 10) cost a fifth of this model's time.
ordered_spells as (
    select
        alumni_key,
        starts_on,
        ends_on,
        max(coalesce(ends_on, cast('9999-12-31' as date))) over (
            partition by alumni_key order by starts_on, ends_on rows between unbounded preceding and 1 preceding
        ) as covered_until
    from spells
),

numbered_spells as (
    select
        *,
        -- a spell that starts after every earlier one has ended starts a new period
        sum(case when covered_until is null or starts_on > covered_until then 1 else 0 end) over (
            partition by alumni_key order by starts_on, ends_on rows unbounded preceding
        ) as period_no
    from ordered_spells
),

periods as (
    select
        alumni_key,
        min(starts_on) as starts_on,
        nullif(max(coalesce(ends_on, cast('9999-12-31' as date))), cast('9999-12-31' as date)) as ends_on
    from numbered_spells
    group by alumni_key, period_no
),

members_on_day as (
    select
        key_dates.as_of,
        periods.alumni_key
    from key_dates
    inner join periods
        on key_dates.as_of >= periods.starts_on and (periods.ends_on is null or key_dates.as_of < periods.ends_on)
    {% if is_incremental() and not plan.full %}
        -- what the pre-hook removed, read after it: the days from `since`, the key dates without rows (not
        -- built yet, or all of whose rows it removed) and the members without rows (all of whose rows it
        -- removed, or an earlier build that wrote none: the plan, read from the rows of the last build that
        -- wrote any, does not know of that one)
        where
            key_dates.as_of >= {{ members_on_key_dates_since(plan) }}
            or key_dates.as_of not in (select built.as_of from {{ this }} as built)
            or periods.alumni_key not in (select built.alumni_key from {{ this }} as built)
    {% endif %}
),

this_build as (
    select
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as built_at,
        max(loaded_at) as snapshots_loaded_at,
        max(snapshot_on) as last_snapshot_on,
        count(distinct snapshot_on) as snapshot_dates
    from {{ ref('stg_portal__member_snapshots') }}
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
            as is_contactable,
        this_build.built_at,
        this_build.snapshots_loaded_at,
        this_build.last_snapshot_on,
        this_build.snapshot_dates
    from members_on_day
    cross join this_build
    left join attributes
        on
            members_on_day.alumni_key = attributes.alumni_key
            and members_on_day.as_of >= attributes.valid_from
            and members_on_day.as_of < attributes.valid_to
    left join undeliverable on attributes.email_hash = undeliverable.email_hash
)

select * from final

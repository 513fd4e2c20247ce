{#- int_members_on_key_dates, incremental (the model's header says what a run rebuilds and why that is exact).

    members_on_key_dates_plan(): what the last build of the model was made from, read from the rows it wrote
    (every row carries its build's time, the newest load of the snapshots, the newest snapshot date and the
    number of snapshot dates), and what has changed since:
      full   - rebuild every row: the first build, a table from before these columns, or a snapshot date up to
               the last built one loaded again, loaded late or gone (a members export's rows replace or add to
               history that rows of other members were built from);
      since  - the first snapshot date after the last built one (none: no new snapshot), from which every
               member's rows are rebuilt;
      built_at, last_snapshot_on - the last build's time and newest snapshot date, for the members rebuilt
               whole (members_on_key_dates_rebuilt_members()).
    Called twice in a run, by the model and by its pre-hook, before either writes: both see the same
    table (the model takes `since` from it; the pre-hook, all it removes). -#}
{% macro members_on_key_dates_plan() %}
    {%- set plan = {'full': true, 'since': none, 'built_at': none, 'last_snapshot_on': none} -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(plan) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in ['built_at', 'snapshots_loaded_at', 'last_snapshot_on', 'snapshot_dates'] -%}
        {%- if column not in columns -%}
            {{ return(plan) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set query -%}
        with

        last_build as (
            select built_at, snapshots_loaded_at, last_snapshot_on, snapshot_dates
            from {{ this }}
            where built_at = (select max(built_at) from {{ this }})
            limit 1
        ),

        snapshots as (
            select snapshot_on, loaded_at from {{ ref('stg_portal__member_snapshots') }}
        )

        select
            cast(last_build.built_at as varchar) as built_at,
            cast(last_build.last_snapshot_on as varchar) as last_snapshot_on,
            (select count(*) from {{ this }} where built_at is null) as rows_unbuilt,
            (
                select count(*) from snapshots
                where
                    snapshots.snapshot_on <= last_build.last_snapshot_on
                    and snapshots.loaded_at > last_build.snapshots_loaded_at
            ) as rows_reloaded,
            (
                select count(distinct snapshots.snapshot_on) from snapshots
                where snapshots.snapshot_on <= last_build.last_snapshot_on
            ) as dates_kept,
            last_build.snapshot_dates as dates_built,
            (
                select cast(min(snapshots.snapshot_on) as varchar) from snapshots
                where snapshots.snapshot_on > last_build.last_snapshot_on
            ) as since
        from last_build
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- if rows | length == 0 -%}
        {{ return(plan) }}
    {%- endif -%}
    {%- set row = rows[0] -%}
    {%- if row['built_at'] is none or row['last_snapshot_on'] is none or row['rows_unbuilt'] > 0
        or row['rows_reloaded'] > 0 or row['dates_kept'] != row['dates_built'] -%}
        {{ return(plan) }}
    {%- endif -%}
    {{ return({'full': false, 'since': row['since'], 'built_at': row['built_at'],
        'last_snapshot_on': row['last_snapshot_on']}) }}
{% endmacro %}

{#- The first date whose rows every member has rebuilt: the first new snapshot's, else none. -#}
{% macro members_on_key_dates_since(plan) -%}
    cast('{{ plan.since or "9999-12-31" }}' as date)
{%- endmacro %}

{#- Members whose rows before `since` may have changed, rebuilt whole (a query of alumni_key):
      - a new snapshot row gives an earlier registration date than their older rows, or they have no older
        rows (a new member): a first spell starts at registration, which may lie before the snapshot, and the
        attributes of a member's first snapshot hold from the beginning of time (without a registration date
        a new member's spell starts at the snapshot: nothing before `since`);
      - marked as left in the newest built snapshot or in a new one: a spell ends on the day `Abgemeldet am`
        says, which may lie before the snapshot, and no longer ends there once they are back;
      - the first hard bounce or complaint of an address of theirs changed since the last build
        (int_undeliverable_addresses: gained, earlier, or gone): their contactability changes from that day.
    The pre-hook removes their rows; the model rebuilds every member without rows (so also one removed by a
    build that wrote none). -#}
{% macro members_on_key_dates_rebuilt_members(plan) %}
    select alumni_key
    from (
        select
            alumni_key,
            min(registered_on) filter (
                where snapshot_on <= cast('{{ plan.last_snapshot_on }}' as date)
            ) as registered_on_built,
            min(registered_on) filter (
                where snapshot_on > cast('{{ plan.last_snapshot_on }}' as date)
            ) as registered_on_new,
            bool_or(
                is_left_row and snapshot_on >= cast('{{ plan.last_snapshot_on }}' as date)
            ) as is_left_lately
        from {{ ref('stg_portal__member_snapshots') }}
        group by alumni_key
    ) as members
    where
        registered_on_new < coalesce(registered_on_built, cast('9999-12-31' as date))
        or is_left_lately
    union
    select intervals.alumni_key
    from {{ ref('int_member_snapshot_intervals') }} as intervals
    where intervals.email_hash in (
        select addresses.email_hash
        from {{ ref('int_undeliverable_addresses') }} as addresses
        where addresses.changed_at > cast('{{ plan.built_at }}' as {{ dbt.type_timestamp() }})
    )
{% endmacro %}

{#- The pre-hook: the rows to be rebuilt, and those of days no longer key dates or of people no longer in the
    register (erased), go before the model's rows are appended. -#}
{% macro members_on_key_dates_forget() %}
    {%- if execute and is_incremental() -%}
        {%- set plan = members_on_key_dates_plan() -%}
        {%- if plan.full -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }}
            where
                as_of >= {{ members_on_key_dates_since(plan) }}
                or as_of not in (select key_dates.as_of from {{ ref('int_key_dates') }} as key_dates)
                or alumni_key not in (select spells.alumni_key from {{ ref('int_member_spells') }} as spells)
                or alumni_key in ({{ members_on_key_dates_rebuilt_members(plan) }})
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

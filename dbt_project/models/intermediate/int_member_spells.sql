-- Membership spells: a member is a member from registration until leaving; one who reappears in a later
-- snapshot starts a new spell. ends_on: `Abgemeldet am` where the portal says abgemeldet, else the first
-- snapshot without the member (METRICS.md "left_on"); null while still a member.
with

snapshots as (
    select * from {{ ref('stg_portal__member_snapshots') }}
),

snapshot_dates as (
    select
        snapshot_on,
        row_number() over (order by snapshot_on) as snapshot_no
    from (select distinct snapshot_on from snapshots) as distinct_dates
),

-- `not materialized`: read more than once, and DuckDB would copy its 3.7 million rows (scale 10) to do so;
-- recomputed instead: 1.08 s instead of 1.24-1.33 s for the model's query at scale 10
member_rows as not materialized (
    select
        snapshots.alumni_key,
        snapshot_dates.snapshot_no,
        snapshots.snapshot_on,
        snapshots.is_left_row,
        snapshots.left_on,
        snapshots.registered_on
    from snapshots
    inner join snapshot_dates on snapshots.snapshot_on = snapshot_dates.snapshot_on
),

-- A spell is a run of consecutive snapshots, broken where a snapshot misses the member, and where a member shown
-- as left is shown as a member again in the next snapshot (re-registered in between: "a member who reappears
-- is a member again", METRICS.md; one unbroken spell would have lost the departure).
starts as (
    select
        member_rows.*,
        coalesce(
            member_rows.snapshot_no > lag(member_rows.snapshot_no) over by_member + 1
            or (lag(member_rows.is_left_row) over by_member and not member_rows.is_left_row),
            true
        ) as starts_spell
    from member_rows
    window by_member as (partition by member_rows.alumni_key order by member_rows.snapshot_no)
),

islands as (
    select
        starts.*,
        sum(cast(starts.starts_spell as integer)) over (
            partition by starts.alumni_key order by starts.snapshot_no rows unbounded preceding
        ) as island
    from starts
),

grouped as (
    select
        alumni_key,
        island,
        min(snapshot_no) as first_no,
        max(snapshot_no) as last_no,
        min(snapshot_on) as first_seen_on,
        max(snapshot_on) as last_seen_on,
        min(registered_on) as registered_on
    from islands
    group by alumni_key, island
),

spells as (
    select
        grouped.alumni_key,
        row_number() over (partition by grouped.alumni_key order by grouped.first_no) as spell_no,
        lead(grouped.first_seen_on) over (partition by grouped.alumni_key order by grouped.first_no)
            as next_spell_seen_on,
        grouped.registered_on,
        grouped.first_seen_on,
        grouped.last_seen_on,
        last_row.is_left_row,
        last_row.left_on,
        next_snapshot.snapshot_on as next_snapshot_on
    from grouped
    inner join member_rows as last_row
        on grouped.alumni_key = last_row.alumni_key and grouped.last_no = last_row.snapshot_no
    left join snapshot_dates as next_snapshot
        on grouped.last_no + 1 = next_snapshot.snapshot_no
),

final as (
    select
        alumni_key,
        spell_no,
        case
            when spell_no = 1 then least(coalesce(registered_on, first_seen_on), first_seen_on)
            else first_seen_on
        end as starts_on,
        case
            -- a date of leaving after the snapshot that shows the member again ends the spell there: spells
            -- never overlap (least() passes over the null of a last spell)
            when is_left_row then least(coalesce(left_on, last_seen_on), next_spell_seen_on)
            else next_snapshot_on
        end as ends_on,
        first_seen_on,
        last_seen_on
    from spells
)

select * from final

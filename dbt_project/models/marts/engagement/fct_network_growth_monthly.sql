-- One row per month and segment (status group x faculty x region, the member's latest attributes).
-- members_end_of_month: members on the month's last day; totals are sums over the segments.
with

months as (
    select * from {{ ref('int_calendar_months') }}
),

spells as (
    select * from {{ ref('int_member_spells') }}
),

alumni as (
    select * from {{ ref('dim_alumni') }}
),

first_month as (
    select min(month_index) as month_index from months
),

spell_segments as (
    select
        spells.alumni_key,
        spells.spell_no,
        alumni.status_group,
        alumni.faculty_code,
        alumni.region,
        {{ month_index('spells.starts_on') }} as start_month_index,
        {{ month_index('spells.ends_on') }} as end_month_index,
        case when spells.spell_no = 1 then {{ month_index('alumni.registered_on') }} end as registered_month_index
    from spells
    inner join alumni on spells.alumni_key = alumni.alumni_key
),

segments as (
    select distinct
        status_group,
        faculty_code,
        region
    from spell_segments
),

-- flows per segment and month; a spell begun before the history start enters in the first month, one ended
-- before it never enters (its end falls outside the months, where nothing would take it out again)
flows as (
    select
        spell_segments.status_group,
        spell_segments.faculty_code,
        spell_segments.region,
        greatest(spell_segments.start_month_index, first_month.month_index) as month_index,
        1 as started,
        0 as ended,
        0 as registered,
        0 as departed
    from spell_segments
    cross join first_month
    where spell_segments.end_month_index is null or spell_segments.end_month_index >= first_month.month_index
    union all
    select
        status_group,
        faculty_code,
        region,
        end_month_index as month_index,
        0 as started,
        1 as ended,
        0 as registered,
        1 as departed
    from spell_segments
    where end_month_index is not null
    union all
    select
        status_group,
        faculty_code,
        region,
        registered_month_index as month_index,
        0 as started,
        0 as ended,
        1 as registered,
        0 as departed
    from spell_segments
    where registered_month_index is not null
),

flows_by_month as (
    select
        status_group,
        faculty_code,
        region,
        month_index,
        sum(started) as started,
        sum(ended) as ended,
        sum(registered) as registered,
        sum(departed) as departed
    from flows
    group by status_group, faculty_code, region, month_index
),

grid as (
    select
        months.month_start,
        months.month_index,
        months.year,
        segments.status_group,
        segments.faculty_code,
        segments.region
    from months
    cross join segments
),

joined as (
    select
        grid.*,
        coalesce(flows_by_month.registered, 0) as new_members,
        coalesce(flows_by_month.departed, 0) as departed_members,
        sum(coalesce(flows_by_month.started, 0) - coalesce(flows_by_month.ended, 0)) over (
            partition by grid.status_group, grid.faculty_code, grid.region
            order by grid.month_index
            rows between unbounded preceding and current row
        ) as members_end_of_month
    from grid
    left join flows_by_month
        on
            grid.status_group = flows_by_month.status_group
            and grid.faculty_code = flows_by_month.faculty_code
            and grid.region = flows_by_month.region
            and grid.month_index = flows_by_month.month_index
),

final as (
    select
        month_start as month,
        year,
        status_group,
        faculty_code,
        region,
        new_members,
        departed_members,
        new_members - departed_members as net_change,
        members_end_of_month
    from joined
)

select * from final

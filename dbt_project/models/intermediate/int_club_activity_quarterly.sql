-- One row per club and quarter, from the founding quarter to the current one (METRICS.md "Clubs").
-- health_status over the four quarters ending with this one.
-- Published as fct_club_activity_quarterly; read by the goal-1 and goal-4 strategy KPIs.
with

clubs as (
    select * from {{ ref('int_clubs') }}
),

quarter_ends as (
    select
        year,
        as_of,
        is_partial
    from {{ ref('int_key_dates') }}
    where date_kind = 'quarter_end'
),

reports as (
    select * from {{ ref('stg_clubs__activity_reports') }}
),

members_on_key_dates as (
    select * from {{ ref('int_members_on_key_dates') }}
),

quarters as (
    select
        as_of,
        is_partial,
        {{ quarter_index('as_of') }}
            as quarter_index,
        cast(extract(year from as_of) as integer) as calendar_year,
        {{ quarter_of_year('as_of') }} as quarter_of_year
    from quarter_ends
),

club_quarters as (
    select
        clubs.club_id,
        quarters.*
    from clubs
    inner join quarters
        on quarters.quarter_index >= {{ quarter_index('clubs.founded_on') }}
),

report_totals as (
    select
        club_id,
        {{ quarter_index('activity_on') }} as quarter_index,
        sum(case when activity = 'club_meeting' then 1 else 0 end) as meetings,
        sum(case when activity = 'club_meeting' then coalesce(participants, 0) else 0 end) as meeting_attendees,
        sum(case when activity = 'prospective_students_informed' then quantity else 0 end)
            as prospective_students_informed,
        sum(case when activity = 'company_contact' then quantity else 0 end) as company_contacts,
        sum(case when activity = 'exchange_students_supported' then quantity else 0 end)
            as exchange_students_supported,
        sum(case when activity in ('sponsor_won', 'partner_won') then quantity else 0 end) as partners_won,
        sum(case when activity <> 'club_meeting' then quantity else 0 end) as ambassador_outputs
    from reports
    group by club_id, 2
),

club_members as (
    select
        as_of,
        club_id,
        count(*) as members
    from members_on_key_dates
    where club_id is not null
    group by as_of, club_id
),

joined as (
    select
        club_quarters.club_id,
        club_quarters.calendar_year,
        club_quarters.quarter_of_year,
        club_quarters.quarter_index,
        club_quarters.as_of as quarter_end,
        club_quarters.is_partial,
        coalesce(club_members.members, 0) as members,
        coalesce(report_totals.meetings, 0) as meetings,
        coalesce(report_totals.meeting_attendees, 0) as meeting_attendees,
        coalesce(report_totals.prospective_students_informed, 0) as prospective_students_informed,
        coalesce(report_totals.company_contacts, 0) as company_contacts,
        coalesce(report_totals.exchange_students_supported, 0) as exchange_students_supported,
        coalesce(report_totals.partners_won, 0) as partners_won,
        coalesce(report_totals.ambassador_outputs, 0) as ambassador_outputs
    from club_quarters
    left join report_totals
        on club_quarters.club_id = report_totals.club_id and club_quarters.quarter_index = report_totals.quarter_index
    left join club_members
        on club_quarters.club_id = club_members.club_id and club_quarters.as_of = club_members.as_of
),

rolling as (
    select
        joined.*,
        sum(joined.meetings) over (
            partition by joined.club_id order by joined.quarter_index rows between 3 preceding and current row
        ) as meetings_last_four_quarters
    from joined
),

final as (
    select
        club_id,
        {{ dbt.concat([dbt.safe_cast("calendar_year", dbt.type_string()), "'-Q'",
            dbt.safe_cast("quarter_of_year", dbt.type_string())]) }} as quarter,
        calendar_year as year,
        quarter_of_year,
        quarter_end,
        is_partial,
        members,
        meetings,
        meeting_attendees,
        prospective_students_informed,
        company_contacts,
        exchange_students_supported,
        partners_won,
        ambassador_outputs,
        meetings_last_four_quarters,
        case
            when meetings_last_four_quarters >= 2 and members >= 5 then 'thriving'
            when meetings_last_four_quarters >= 1 then 'quiet'
            else 'dormant'
        end as health_status
    from rolling
)

select * from final

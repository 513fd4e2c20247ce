-- Goal 4, the alumni's engagement for the university (METRICS.md "Strategy KPIs"): one row per KPI and year.
--   g4_volunteers          distinct members with a volunteer act
--   g4_ambassador_outputs  sum of `Anzahl` of club activities other than club meetings
--   g4_partners_won        partners (sponsors, cooperation partners) won by clubs
--   g4_donors              distinct donors; empty, not 0, when no donation source was ever loaded
with

key_dates as (
    select * from {{ ref('int_key_dates') }}
),

acts as (
    select * from {{ ref('int_engagement_activities') }}
),

-- a club quarter counts in the reporting year its last day falls in (`year` there is the calendar year's, as the
-- quarter's name says: they differ where the reporting year starts in another month than January)
clubs as (
    select
        quarterly.*,
        cast({{ reporting_year('quarterly.quarter_end') }} as integer) as reporting_year
    from {{ ref('int_club_activity_quarterly') }} as quarterly
),

donations as (
    select * from {{ ref('int_donations') }}
),

years as (
    select
        key_dates.year,
        key_dates.is_partial
    from key_dates
    where key_dates.date_kind = 'year_end'
),

volunteers as (
    select
        acts.year,
        count(distinct acts.alumni_key) as volunteers
    from acts
    where acts.engagement_mode = 'volunteer'
    group by acts.year
),

club_outputs as (
    select
        clubs.reporting_year as year,
        sum(clubs.ambassador_outputs) as ambassador_outputs,
        sum(clubs.partners_won) as partners_won
    from clubs
    group by clubs.reporting_year
),

donation_source as (
    select count(*) > 0 as has_donations from donations
),

donors as (
    select
        cast({{ reporting_year('donations.donated_on') }} as integer) as year,
        -- a donor without a member is counted by address, else by the donation itself
        count(distinct coalesce(donations.alumni_key, donations.email_hash, donations.donation_id)) as donors
    from donations
    group by 1
),

per_year as (
    select
        years.year,
        years.is_partial,
        coalesce(volunteers.volunteers, 0) as volunteers,
        coalesce(club_outputs.ambassador_outputs, 0) as ambassador_outputs,
        coalesce(club_outputs.partners_won, 0) as partners_won,
        case when donation_source.has_donations then coalesce(donors.donors, 0) end as donors
    from years
    cross join donation_source
    left join volunteers on years.year = volunteers.year
    left join club_outputs on years.year = club_outputs.year
    left join donors on years.year = donors.year
),

final as (
    {{ unpivot_kpis('per_year', {
        'g4_volunteers': 'volunteers',
        'g4_ambassador_outputs': 'ambassador_outputs',
        'g4_partners_won': 'partners_won',
        'g4_donors': 'donors'
    }) }}
)

select * from final

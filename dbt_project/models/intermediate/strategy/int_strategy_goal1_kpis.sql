-- Goal 1, a lively alumni community (METRICS.md "Strategy KPIs"): one row per KPI and year.
--   g1_engaged_share   the CASE AEM `any` engaged share
--   g1_net_growth      members on Dec 31 - members on Jan 1
--   g1_thriving_clubs  clubs with health `thriving` in the year's last quarter (Q4, or the current one)
--   g1_countries       countries with at least one member on Dec 31
with

key_dates as (
    select * from {{ ref('int_key_dates') }}
),

members_on_key_dates as (
    select * from {{ ref('int_members_on_key_dates') }}
),

aem as (
    select * from {{ ref('int_aem_yearly') }}
),

-- a club quarter counts in the reporting year its last day falls in (`year` there is the calendar year's, as the
-- quarter's name says: they differ where the reporting year starts in another month than January)
clubs as (
    select
        quarterly.*,
        cast({{ reporting_year('quarterly.quarter_end') }} as integer) as reporting_year
    from {{ ref('int_club_activity_quarterly') }} as quarterly
),

years as (
    select
        key_dates.year,
        key_dates.as_of as year_end,
        key_dates.is_partial
    from key_dates
    where key_dates.date_kind = 'year_end'
),

year_end_counts as (
    select
        years.year,
        count(*) as members,
        count(distinct members_on_key_dates.country_code) as countries
    from years
    inner join members_on_key_dates on years.year_end = members_on_key_dates.as_of
    group by years.year
),

year_start_counts as (
    select
        key_dates.year,
        count(*) as members
    from key_dates
    inner join members_on_key_dates on key_dates.as_of = members_on_key_dates.as_of
    where key_dates.date_kind = 'year_start'
    group by key_dates.year
),

last_quarter as (
    select
        clubs.reporting_year as year,
        max(clubs.quarter_end) as quarter_end
    from clubs
    group by clubs.reporting_year
),

thriving as (
    select
        clubs.reporting_year as year,
        sum(case when clubs.health_status = 'thriving' then 1 else 0 end) as thriving_clubs
    from clubs
    inner join last_quarter on clubs.reporting_year = last_quarter.year and clubs.quarter_end = last_quarter.quarter_end
    group by clubs.reporting_year
),

per_year as (
    select
        years.year,
        years.is_partial,
        aem.engaged_share,
        coalesce(year_end_counts.members, 0) - coalesce(year_start_counts.members, 0) as net_growth,
        coalesce(thriving.thriving_clubs, 0) as thriving_clubs,
        coalesce(year_end_counts.countries, 0) as countries
    from years
    left join aem on years.year = aem.year and aem.engagement_mode = 'any'
    left join year_end_counts on years.year = year_end_counts.year
    left join year_start_counts on years.year = year_start_counts.year
    left join thriving on years.year = thriving.year
),

final as (
    {{ unpivot_kpis('per_year', {
        'g1_engaged_share': 'engaged_share',
        'g1_net_growth': 'net_growth',
        'g1_thriving_clubs': 'thriving_clubs',
        'g1_countries': 'countries'
    }) }}
)

select * from final

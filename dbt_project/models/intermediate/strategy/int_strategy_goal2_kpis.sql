-- Goal 2, a strong individual bond to TU Chemnitz and Chemnitz (METRICS.md "Strategy KPIs"): one row per KPI
-- and year.
--   g2_retention_rate           share of the members on Jan 1 still members on Dec 31
--   g2_repeat_engagement_share  share of the members engaged in Y who were engaged in Y-1 too
--   g2_median_click_rate        median click_rate of the campaigns sent in Y
--   g2_homecoming_alumni        distinct members who attended an event in Chemnitz
with

key_dates as (
    select * from {{ ref('int_key_dates') }}
),

members_on_key_dates as (
    select * from {{ ref('int_members_on_key_dates') }}
),

acts as (
    select * from {{ ref('int_engagement_activities') }}
),

campaigns as (
    select * from {{ ref('int_newsletter_campaigns') }}
),

registrations as (
    select * from {{ ref('int_registrations') }}
),

years as (
    select
        key_dates.year,
        key_dates.as_of as year_end,
        key_dates.is_partial
    from key_dates
    where key_dates.date_kind = 'year_end'
),

members_at_year_start as (
    select
        key_dates.year,
        members_on_key_dates.alumni_key
    from key_dates
    inner join members_on_key_dates on key_dates.as_of = members_on_key_dates.as_of
    where key_dates.date_kind = 'year_start'
),

members_at_year_end as (
    select
        years.year,
        members_on_key_dates.alumni_key
    from years
    inner join members_on_key_dates on years.year_end = members_on_key_dates.as_of
),

year_start_counts as (
    select
        members_at_year_start.year,
        count(*) as members
    from members_at_year_start
    group by members_at_year_start.year
),

retained as (
    select
        members_at_year_start.year,
        count(*) as retained_members
    from members_at_year_start
    inner join members_at_year_end
        on
            members_at_year_start.year = members_at_year_end.year
            and members_at_year_start.alumni_key = members_at_year_end.alumni_key
    group by members_at_year_start.year
),

engaged_members as (
    select distinct
        acts.year,
        acts.alumni_key
    from acts
),

repeat_engagement as (
    select
        this_year.year,
        count(*) as engaged,
        count(last_year.alumni_key) as engaged_both_years
    from engaged_members as this_year
    left join engaged_members as last_year
        on this_year.year - 1 = last_year.year and this_year.alumni_key = last_year.alumni_key
    group by this_year.year
),

click_rates as (
    select
        campaigns.year,
        {{ median('campaigns.click_rate') }} as median_click_rate
    from campaigns
    group by campaigns.year
),

homecoming as (
    select
        cast({{ reporting_year('registrations.event_on') }} as integer) as year,
        count(distinct registrations.alumni_key) as homecoming_alumni
    from registrations
    where
        registrations.is_attended
        and registrations.alumni_key is not null
        and lower(registrations.event_city) = 'chemnitz'
    group by 1
),

per_year as (
    select
        years.year,
        years.is_partial,
        retained.retained_members * 1.0 / nullif(year_start_counts.members, 0) as retention_rate,
        repeat_engagement.engaged_both_years * 1.0 / nullif(repeat_engagement.engaged, 0)
            as repeat_engagement_share,
        click_rates.median_click_rate,
        coalesce(homecoming.homecoming_alumni, 0) as homecoming_alumni
    from years
    left join year_start_counts on years.year = year_start_counts.year
    left join retained on years.year = retained.year
    left join repeat_engagement on years.year = repeat_engagement.year
    left join click_rates on years.year = click_rates.year
    left join homecoming on years.year = homecoming.year
),

final as (
    {{ unpivot_kpis('per_year', {
        'g2_retention_rate': 'retention_rate',
        'g2_repeat_engagement_share': 'repeat_engagement_share',
        'g2_median_click_rate': 'median_click_rate',
        'g2_homecoming_alumni': 'homecoming_alumni'
    }) }}
)

select * from final

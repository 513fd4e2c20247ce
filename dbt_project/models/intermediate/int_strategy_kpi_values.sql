-- KPI values per year, before targets (METRICS.md "Strategy KPIs"): one row per KPI and year.
with

key_dates as (
    select * from {{ ref('int_key_dates') }}
),

members_on_key_dates as (
    select * from {{ ref('int_members_on_key_dates') }}
),

acts as (
    select * from {{ ref('fct_engagement_activities') }}
),

aem as (
    select * from {{ ref('fct_aem_yearly') }}
),

clubs as (
    select * from {{ ref('fct_club_activity_quarterly') }}
),

campaigns as (
    select * from {{ ref('fct_newsletter_campaigns') }}
),

events as (
    select * from {{ ref('dim_events') }}
),

registrations as (
    select * from {{ ref('int_registrations') }}
),

delivered_yearly as (
    select * from {{ ref('int_newsletter_delivered_yearly') }}
),

donations as (
    select * from {{ ref('int_donations') }}
),

years as (
    select
        key_dates.year,
        key_dates.as_of as year_end,
        key_dates.is_partial
    from key_dates
    where key_dates.date_kind = 'year_end'
),

members_at_year_end as (
    select
        years.year,
        members_on_key_dates.alumni_key,
        members_on_key_dates.country_code,
        members_on_key_dates.is_contactable
    from years
    inner join members_on_key_dates on years.year_end = members_on_key_dates.as_of
),

members_at_year_start as (
    select
        key_dates.year,
        members_on_key_dates.alumni_key
    from key_dates
    inner join members_on_key_dates on key_dates.as_of = members_on_key_dates.as_of
    where key_dates.date_kind = 'year_start'
),

year_end_counts as (
    select
        members_at_year_end.year,
        count(*) as members,
        count(distinct members_at_year_end.country_code) as countries,
        sum(case when members_at_year_end.is_contactable then 1 else 0 end) as contactable
    from members_at_year_end
    group by members_at_year_end.year
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

act_counts as (
    select
        acts.year,
        count(distinct case when acts.strategy_goal = 3 then acts.alumni_key end) as offer_uptake,
        count(distinct case when acts.engagement_mode = 'volunteer' then acts.alumni_key end) as volunteers
    from acts
    group by acts.year
),

campaign_counts as (
    select
        campaigns.year,
        count(*) as campaigns_sent,
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

events_offered as (
    select
        events.year,
        count(*) as events_offered
    from events
    where events.event_type in ('central_meeting', 'lecture_series', 'further_education', 'career', 'networking')
    group by events.year
),

delivered_members as (
    select distinct
        delivered_yearly.year,
        delivered_yearly.alumni_key
    from delivered_yearly
    where delivered_yearly.alumni_key is not null
),

reached as (
    select
        members_at_year_end.year,
        count(*) as reached_members
    from members_at_year_end
    inner join delivered_members
        on members_at_year_end.year = delivered_members.year
            and members_at_year_end.alumni_key = delivered_members.alumni_key
    where members_at_year_end.is_contactable
    group by members_at_year_end.year
),

last_quarter as (
    select
        clubs.year,
        max(clubs.quarter_end) as quarter_end
    from clubs
    group by clubs.year
),

club_counts as (
    select
        clubs.year,
        sum(case when clubs.health_status = 'thriving' and clubs.quarter_end = last_quarter.quarter_end
                then 1
            else 0
        end) as thriving_clubs,
        sum(clubs.ambassador_outputs) as ambassador_outputs,
        sum(clubs.partners_won) as partners_won
    from clubs
    inner join last_quarter on clubs.year = last_quarter.year
    group by clubs.year
),

donation_source as (
    select count(*) > 0 as has_donations from donations
),

donors as (
    select
        cast({{ reporting_year('donations.donated_on') }} as integer) as year,
        count(distinct coalesce(donations.alumni_key, donations.email_hash, donations.donation_id)) as donors
    from donations
    group by 1
),

per_year as (
    select
        years.year,
        years.is_partial,
        aem.engaged_share,
        coalesce(year_end_counts.members, 0) - coalesce(year_start_counts.members, 0) as net_growth,
        coalesce(club_counts.thriving_clubs, 0) as thriving_clubs,
        coalesce(year_end_counts.countries, 0) as countries,
        retained.retained_members * 1.0 / nullif(year_start_counts.members, 0) as retention_rate,
        repeat_engagement.engaged_both_years * 1.0 / nullif(repeat_engagement.engaged, 0)
            as repeat_engagement_share,
        campaign_counts.median_click_rate,
        coalesce(homecoming.homecoming_alumni, 0) as homecoming_alumni,
        coalesce(events_offered.events_offered, 0) as events_offered,
        coalesce(campaign_counts.campaigns_sent, 0) as campaigns_sent,
        coalesce(reached.reached_members, 0) * 1.0 / nullif(year_end_counts.contactable, 0) as newsletter_reach,
        coalesce(act_counts.offer_uptake, 0) as offer_uptake,
        coalesce(act_counts.volunteers, 0) as volunteers,
        coalesce(club_counts.ambassador_outputs, 0) as ambassador_outputs,
        coalesce(club_counts.partners_won, 0) as partners_won,
        case when donation_source.has_donations then coalesce(donors.donors, 0) end as donors
    from years
    cross join donation_source
    left join aem on years.year = aem.year and aem.engagement_mode = 'any'
    left join year_end_counts on years.year = year_end_counts.year
    left join year_start_counts on years.year = year_start_counts.year
    left join retained on years.year = retained.year
    left join repeat_engagement on years.year = repeat_engagement.year
    left join act_counts on years.year = act_counts.year
    left join campaign_counts on years.year = campaign_counts.year
    left join homecoming on years.year = homecoming.year
    left join events_offered on years.year = events_offered.year
    left join reached on years.year = reached.year
    left join club_counts on years.year = club_counts.year
    left join donors on years.year = donors.year
),

-- one row per KPI: the per-year columns above, unpivoted portably
values_by_kpi as (
    {% set kpis = {
        'g1_engaged_share': 'engaged_share', 'g1_net_growth': 'net_growth',
        'g1_thriving_clubs': 'thriving_clubs', 'g1_countries': 'countries',
        'g2_retention_rate': 'retention_rate', 'g2_repeat_engagement_share': 'repeat_engagement_share',
        'g2_median_click_rate': 'median_click_rate', 'g2_homecoming_alumni': 'homecoming_alumni',
        'g3_events_offered': 'events_offered', 'g3_campaigns_sent': 'campaigns_sent',
        'g3_newsletter_reach': 'newsletter_reach', 'g3_offer_uptake': 'offer_uptake',
        'g4_volunteers': 'volunteers', 'g4_ambassador_outputs': 'ambassador_outputs',
        'g4_partners_won': 'partners_won', 'g4_donors': 'donors'
    } %}
    {% for kpi_id, column in kpis.items() %}
        select
            per_year.year,
            per_year.is_partial,
            '{{ kpi_id }}' as kpi_id,
            cast(per_year.{{ column }} as {{ dbt.type_float() }}) as kpi_value
        from per_year
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from values_by_kpi

-- The strategy scorecard: one row per KPI and year (METRICS.md "Strategy KPIs"), against the targets the
-- alumni coordinator keeps in seeds/strategy_targets.csv.
with

key_dates as (
    select * from {{ ref('int_key_dates') }}
),

years as (
    select year, as_of as year_end, is_partial from key_dates where date_kind = 'year_end'
),

year_starts as (
    select year, as_of as year_start from key_dates where date_kind = 'year_start'
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

newsletter as (
    select * from {{ ref('int_newsletter_events') }}
),

donations as (
    select * from {{ ref('int_donations') }}
),

targets as (
    select * from {{ ref('strategy_targets') }}
),

catalogue as (
    select * from {{ ref('strategy_kpi_catalogue') }}
),

members_at_year_end as (
    select years.year, members_on_key_dates.*
    from years
    inner join members_on_key_dates on years.year_end = members_on_key_dates.as_of
),

members_at_year_start as (
    select year_starts.year, members_on_key_dates.alumni_key
    from year_starts
    inner join members_on_key_dates on year_starts.year_start = members_on_key_dates.as_of
),

engaged_members as (
    select distinct year, alumni_key from acts
),

delivered_members as (
    select distinct
        cast({{ reporting_year('newsletter.occurred_on') }} as integer) as year,
        newsletter.alumni_key
    from newsletter
    where newsletter.action = 'sent' and newsletter.alumni_key is not null
        and not exists (
            select 1 from newsletter as bounce
            where bounce.campaign_id = newsletter.campaign_id and bounce.email_hash = newsletter.email_hash
                and bounce.action in ('hard_bounce', 'soft_bounce')
        )
),

values_by_kpi as (
    select year, 'g1_engaged_share' as kpi_id, engaged_share as value
    from aem where engagement_mode = 'any'
    union all
    select years.year, 'g1_net_growth',
        (select count(*) from members_at_year_end where members_at_year_end.year = years.year)
        - (select count(*) from members_at_year_start where members_at_year_start.year = years.year)
    from years
    union all
    select years.year, 'g1_thriving_clubs',
        (select count(*) from clubs
            where clubs.year = years.year and clubs.health_status = 'thriving'
                and clubs.quarter_end = (select max(q.quarter_end) from clubs as q where q.year = years.year))
    from years
    union all
    select years.year, 'g1_countries',
        (select count(distinct country_code) from members_at_year_end
            where members_at_year_end.year = years.year and country_code is not null)
    from years
    union all
    select years.year, 'g2_retention_rate',
        (select count(*) from members_at_year_start
            where members_at_year_start.year = years.year
                and members_at_year_start.alumni_key in (
                    select alumni_key from members_at_year_end where members_at_year_end.year = years.year))
        * 1.0 / nullif((select count(*) from members_at_year_start where members_at_year_start.year = years.year), 0)
    from years
    union all
    select years.year, 'g2_repeat_engagement_share',
        (select count(*) from engaged_members as this_year
            where this_year.year = years.year
                and exists (select 1 from engaged_members as last_year
                    where last_year.year = years.year - 1 and last_year.alumni_key = this_year.alumni_key))
        * 1.0 / nullif((select count(*) from engaged_members where engaged_members.year = years.year), 0)
    from years
    union all
    select year, 'g2_median_click_rate', {{ median('click_rate') }}
    from campaigns where click_rate is not null
    group by year
    union all
    select years.year, 'g2_homecoming_alumni',
        (select count(distinct registrations.alumni_key) from registrations
            where registrations.is_attended and registrations.alumni_key is not null
                and lower(registrations.event_city) = 'chemnitz'
                and cast({{ reporting_year('registrations.event_on') }} as integer) = years.year)
    from years
    union all
    select years.year, 'g3_events_offered',
        (select count(*) from events
            where events.year = years.year
                and events.event_type in ('central_meeting', 'lecture_series', 'further_education', 'career',
                    'networking'))
    from years
    union all
    select years.year, 'g3_campaigns_sent', (select count(*) from campaigns where campaigns.year = years.year)
    from years
    union all
    select years.year, 'g3_newsletter_reach',
        (select count(*) from members_at_year_end
            where members_at_year_end.year = years.year and members_at_year_end.is_contactable
                and members_at_year_end.alumni_key in (
                    select alumni_key from delivered_members where delivered_members.year = years.year))
        * 1.0 / nullif((select count(*) from members_at_year_end
            where members_at_year_end.year = years.year and members_at_year_end.is_contactable), 0)
    from years
    union all
    select years.year, 'g3_offer_uptake',
        (select count(distinct alumni_key) from acts where acts.year = years.year and acts.strategy_goal = 3)
    from years
    union all
    select years.year, 'g4_volunteers',
        (select count(distinct alumni_key) from acts
            where acts.year = years.year and acts.engagement_mode = 'volunteer')
    from years
    union all
    select years.year, 'g4_ambassador_outputs',
        (select coalesce(sum(ambassador_outputs), 0) from clubs where clubs.year = years.year)
    from years
    union all
    select years.year, 'g4_partners_won',
        (select coalesce(sum(partners_won), 0) from clubs where clubs.year = years.year)
    from years
    union all
    select years.year, 'g4_donors',
        case when (select count(*) from donations) > 0 then
            (select count(distinct coalesce(donations.alumni_key, donations.email_hash, donations.donation_id))
                from donations
                where cast({{ reporting_year('donations.donated_on') }} as integer) = years.year)
        end
    from years
),

final as (
    select
        years.year,
        cast(catalogue.goal_id as integer) as goal_id,
        catalogue.kpi_id,
        catalogue.kpi_name_de,
        catalogue.kpi_name_en,
        catalogue.unit,
        cast(values_by_kpi.value as double) as value,
        targets.target,
        case
            when targets.target is null or values_by_kpi.value is null then 'no_target'
            when values_by_kpi.value >= targets.target then 'on_track'
            when values_by_kpi.value >= 0.9 * targets.target then 'at_risk'
            else 'off_track'
        end as status,
        years.is_partial
    from years
    cross join catalogue
    left join values_by_kpi on years.year = values_by_kpi.year and catalogue.kpi_id = values_by_kpi.kpi_id
    left join targets on years.year = targets.year and catalogue.kpi_id = targets.kpi_id
)

select * from final

-- Goal 3, the university's engagement for its alumni (METRICS.md "Strategy KPIs"): one row per KPI and year.
--   g3_events_offered    events of type central_meeting, lecture_series, further_education, career, networking
--   g3_campaigns_sent    campaigns sent
--   g3_newsletter_reach  share of the members contactable on Dec 31 who were delivered a campaign in the year
--   g3_offer_uptake      distinct members with a goal-3 act
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

events as (
    select * from {{ ref('int_events') }}
),

delivered_yearly as (
    select * from {{ ref('int_newsletter_delivered_yearly') }}
),

years as (
    select
        key_dates.year,
        key_dates.as_of as year_end,
        key_dates.is_partial
    from key_dates
    where key_dates.date_kind = 'year_end'
),

contactable_at_year_end as (
    select
        years.year,
        members_on_key_dates.alumni_key
    from years
    inner join members_on_key_dates on years.year_end = members_on_key_dates.as_of
    where members_on_key_dates.is_contactable
),

contactable_counts as (
    select
        contactable_at_year_end.year,
        count(*) as contactable
    from contactable_at_year_end
    group by contactable_at_year_end.year
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
        contactable_at_year_end.year,
        count(*) as reached_members
    from contactable_at_year_end
    inner join delivered_members
        on contactable_at_year_end.year = delivered_members.year
            and contactable_at_year_end.alumni_key = delivered_members.alumni_key
    group by contactable_at_year_end.year
),

events_offered as (
    select
        events.year,
        count(*) as events_offered
    from events
    where events.event_type in ('central_meeting', 'lecture_series', 'further_education', 'career', 'networking')
    group by events.year
),

campaign_counts as (
    select
        campaigns.year,
        count(*) as campaigns_sent
    from campaigns
    group by campaigns.year
),

offer_uptake as (
    select
        acts.year,
        count(distinct acts.alumni_key) as offer_uptake
    from acts
    where acts.strategy_goal = 3
    group by acts.year
),

per_year as (
    select
        years.year,
        years.is_partial,
        coalesce(events_offered.events_offered, 0) as events_offered,
        coalesce(campaign_counts.campaigns_sent, 0) as campaigns_sent,
        coalesce(reached.reached_members, 0) * 1.0 / nullif(contactable_counts.contactable, 0) as newsletter_reach,
        coalesce(offer_uptake.offer_uptake, 0) as offer_uptake
    from years
    left join contactable_counts on years.year = contactable_counts.year
    left join reached on years.year = reached.year
    left join events_offered on years.year = events_offered.year
    left join campaign_counts on years.year = campaign_counts.year
    left join offer_uptake on years.year = offer_uptake.year
),

final as (
    {{ unpivot_kpis('per_year', {
        'g3_events_offered': 'events_offered',
        'g3_campaigns_sent': 'campaigns_sent',
        'g3_newsletter_reach': 'newsletter_reach',
        'g3_offer_uptake': 'offer_uptake'
    }) }}
)

select * from final

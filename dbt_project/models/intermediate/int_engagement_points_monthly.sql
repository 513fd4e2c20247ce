-- Engagement points per member and month (METRICS.md "Engagement score v1"): points per act by engagement
-- mode, newsletter clicks capped per member and month before weighting. The numbers are in
-- seeds/engagement_scoring.csv (via int_engagement_scoring).
with

acts as (
    select * from {{ ref('int_engagement_activities') }}
),

scoring as (
    select * from {{ ref('int_engagement_scoring') }}
),

acts_per_month as (
    select
        alumni_key,
        {{ month_index('activity_date') }} as month_index,
        sum(case when activity_type in ('newsletter_click', 'newsletter_click_offer') then 1 else 0 end)
            as newsletter_clicks,
        sum(case when engagement_mode = 'communication'
                and activity_type not in ('newsletter_click', 'newsletter_click_offer') then 1
            else 0
        end) as other_communication_acts,
        sum(case when engagement_mode = 'experiential' then 1 else 0 end) as experiential_acts,
        sum(case when engagement_mode = 'volunteer' then 1 else 0 end) as volunteer_acts,
        sum(case when engagement_mode = 'philanthropic' then 1 else 0 end) as philanthropic_acts
    from acts
    group by alumni_key, {{ month_index('activity_date') }}
),

final as (
    select
        acts_per_month.alumni_key,
        acts_per_month.month_index,
        least(acts_per_month.newsletter_clicks * scoring.points_communication, scoring.newsletter_click_cap)
        + acts_per_month.other_communication_acts * scoring.points_communication
        + acts_per_month.experiential_acts * scoring.points_experiential
        + acts_per_month.volunteer_acts * scoring.points_volunteer
        + acts_per_month.philanthropic_acts * scoring.points_philanthropic as points
    from acts_per_month
    cross join scoring
)

select * from final

-- The constants of engagement score v1 (METRICS.md), as one row: points per act by mode, the monthly cap on
-- newsletter-click points, the half-life and window of the weighting, and where the tiers start. They are
-- declared once, in seeds/engagement_scoring.csv, which the dashboard's definition text reads too.
-- A change to them needs `alumni pipeline --full-refresh` (int_engagement_scores_monthly is incremental).
with

settings as (
    select * from {{ ref('engagement_scoring') }}
),

final as (
    select
        max(case when setting = 'points_per_act' and applies_to = 'communication' then value end)
            as points_communication,
        max(case when setting = 'points_per_act' and applies_to = 'experiential' then value end)
            as points_experiential,
        max(case when setting = 'points_per_act' and applies_to = 'volunteer' then value end) as points_volunteer,
        max(case when setting = 'points_per_act' and applies_to = 'philanthropic' then value end)
            as points_philanthropic,
        max(case when setting = 'newsletter_click_cap' then value end) as newsletter_click_cap,
        max(case when setting = 'half_life_months' then value end) as half_life_months,
        max(case when setting = 'window_months' then value end) as window_months,
        max(case when setting = 'tier_from' and applies_to = 'active' then value end) as active_from,
        max(case when setting = 'tier_from' and applies_to = 'champion' then value end) as champion_from
    from settings
)

select * from final

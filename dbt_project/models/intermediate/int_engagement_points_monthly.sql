-- Engagement points per member and month (METRICS.md "Engagement score v1"): 1 point per communication act,
-- newsletter clicks capped at 5 points per member and month, 3 per experiential, 7 per volunteer and 5 per
-- philanthropic act.
with

acts as (
    select * from {{ ref('int_engagement_activities') }}
),

final as (
    select
        alumni_key,
        {{ month_index('activity_date') }} as month_index,
        least(sum(case when activity_type in ('newsletter_click', 'newsletter_click_offer') then 1 else 0 end), 5)
        + sum(case when engagement_mode = 'communication'
                and activity_type not in ('newsletter_click', 'newsletter_click_offer') then 1
            else 0
        end)
        + 3 * sum(case when engagement_mode = 'experiential' then 1 else 0 end)
        + 7 * sum(case when engagement_mode = 'volunteer' then 1 else 0 end)
        + 5 * sum(case when engagement_mode = 'philanthropic' then 1 else 0 end) as points
    from acts
    group by alumni_key, {{ month_index('activity_date') }}
)

select * from final

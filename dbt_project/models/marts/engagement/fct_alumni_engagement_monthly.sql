-- Engagement score v1 per member and month (METRICS.md): points per act, newsletter clicks capped at
-- 5 points per member and month, each month weighted 0.5 ^ (k / 12) over the 36 months up to M.
with

months as (
    select * from {{ ref('int_calendar_months') }}
),

spells as (
    select * from {{ ref('int_member_spells') }}
),

acts as (
    select * from {{ ref('fct_engagement_activities') }}
),

-- months in which the member was a member on at least one day
member_months as (
    select distinct
        spells.alumni_key,
        months.month_start,
        months.month_index
    from spells
    inner join months
        on spells.starts_on <= months.month_end and (spells.ends_on is null or spells.ends_on > months.month_start)
),

act_points as (
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
),

scored as (
    select
        member_months.alumni_key,
        member_months.month_start,
        coalesce(sum(act_points.points * power(0.5, (member_months.month_index - act_points.month_index) / 12.0)), 0)
            as engagement_score
    from member_months
    left join act_points
        on
            member_months.alumni_key = act_points.alumni_key
            and act_points.month_index between member_months.month_index - 35 and member_months.month_index
    group by member_months.alumni_key, member_months.month_start
),

final as (
    select
        alumni_key,
        month_start as month,
        round(engagement_score, 4) as engagement_score,
        case
            when engagement_score = 0 then 'inactive'
            when engagement_score < 3 then 'interested'
            when engagement_score < 10 then 'active'
            else 'champion'
        end as engagement_tier,
        'v1' as score_version
    from scored
)

select * from final

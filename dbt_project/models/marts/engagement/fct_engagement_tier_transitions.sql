-- Movement between engagement tiers: members by tier in the last month of the previous year and in the
-- last month of this year (for the current year: the latest month).
with

scores as (
    select * from {{ ref('fct_alumni_engagement_monthly') }}
),

year_months as (
    select
        year,
        max(month_start) as month_start
    from {{ ref('int_calendar_months') }}
    where month_start <= {{ as_of_date() }}
    group by year
),

-- each member's tier in the last month of each year (a small slice of the member-month table)
year_end_tiers as (
    select
        year_months.year,
        scores.alumni_key,
        scores.engagement_tier
    from scores
    inner join year_months on scores.month = year_months.month_start
),

paired as (
    select
        current_tiers.year,
        previous_tiers.engagement_tier as from_tier,
        current_tiers.engagement_tier as to_tier
    from year_end_tiers as current_tiers
    inner join year_end_tiers as previous_tiers
        on current_tiers.alumni_key = previous_tiers.alumni_key and current_tiers.year - 1 = previous_tiers.year
),

final as (
    select
        year,
        from_tier,
        to_tier,
        count(*) as members
    from paired
    group by year, from_tier, to_tier
)

select * from final

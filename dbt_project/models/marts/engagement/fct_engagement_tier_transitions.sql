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

paired as (
    select
        year_months.year,
        previous_scores.engagement_tier as from_tier,
        current_scores.engagement_tier as to_tier
    from year_months
    inner join year_months as previous_year on year_months.year - 1 = previous_year.year
    inner join scores as current_scores on year_months.month_start = current_scores.month
    inner join scores as previous_scores
        on
            previous_year.month_start = previous_scores.month
            and current_scores.alumni_key = previous_scores.alumni_key
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

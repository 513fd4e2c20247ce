-- The days on which the marts look at the network: quarter ends and the first and last day of each
-- reporting year; a period that has not ended yet is looked at on as_of_date (its figures are partial).
with

months as (
    select * from {{ ref('int_calendar_months') }}
),

quarter_ends as (
    select
        'quarter_end' as date_kind,
        year,
        least(month_end, {{ as_of_date() }}) as as_of,
        month_end > {{ as_of_date() }} as is_partial
    from months
    where month_of_year in (3, 6, 9, 12)
),

year_starts as (
    select
        'year_start' as date_kind,
        year,
        month_start as as_of,
        false as is_partial
    from months
    where month_of_year = {{ var('fiscal_year_start_month', 1) }}
),

year_ends as (
    select
        'year_end' as date_kind,
        year,
        least(max(month_end), {{ as_of_date() }}) as as_of,
        -- the calendar stops at the current month: a year without its last month has not ended either
        max(month_end) > {{ as_of_date() }}
        or not bool_or(month_of_year = {{ (var('fiscal_year_start_month', 1) | int + 10) % 12 + 1 }}) as is_partial
    from months
    group by year
),

final as (
    select * from quarter_ends
    union all
    select * from year_starts
    union all
    select * from year_ends
)

select * from final

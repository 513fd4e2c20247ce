-- One row per month from the history start to the current month (as_of_date), with its reporting year.
with

spine as (
    {{ dbt.date_spine(
        datepart="month",
        start_date="cast('" ~ var('history_start') ~ "' as date)",
        end_date=dbt.dateadd('month', 1, as_of_date())
    ) }}
),

final as (
    select
        cast(date_month as date) as month_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'date_month')) }} as date) as month_end,
        {{ month_index('date_month') }} as month_index,
        cast({{ reporting_year('date_month') }} as integer) as year,
        cast(extract(month from date_month) as integer) as month_of_year
    from spine
)

select * from final

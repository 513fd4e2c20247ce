-- The strategy scorecard: one row per KPI and year (METRICS.md "Strategy KPIs"), against the targets the
-- alumni coordinator keeps in seeds/strategy_targets.csv. on_track: the value reaches the target; at_risk:
-- it reaches 90 % of it; off_track otherwise; no_target without a target (or without a value).
with

kpi_values as (
    select * from {{ ref('int_strategy_kpi_values') }}
),

targets as (
    select * from {{ ref('strategy_targets') }}
),

catalogue as (
    select * from {{ ref('strategy_kpi_catalogue') }}
),

final as (
    select
        kpi_values.year,
        cast(catalogue.goal_id as integer) as goal_id,
        catalogue.kpi_id,
        catalogue.kpi_name_de,
        catalogue.kpi_name_en,
        catalogue.unit,
        kpi_values.kpi_value as value,
        targets.target,
        case
            when targets.target is null or kpi_values.kpi_value is null then 'no_target'
            when kpi_values.kpi_value >= targets.target then 'on_track'
            when kpi_values.kpi_value >= 0.9 * targets.target then 'at_risk'
            else 'off_track'
        end as status,
        kpi_values.is_partial
    from kpi_values
    inner join catalogue on kpi_values.kpi_id = catalogue.kpi_id
    left join targets on kpi_values.year = targets.year and kpi_values.kpi_id = targets.kpi_id
)

select * from final

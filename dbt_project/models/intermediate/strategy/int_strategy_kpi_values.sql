-- KPI values per year, before targets (METRICS.md "Strategy KPIs"): one row per KPI and year, the four goals'
-- models together. Targets and status are added in fct_strategy_kpis.
with

goal1 as (
    select * from {{ ref('int_strategy_goal1_kpis') }}
),

goal2 as (
    select * from {{ ref('int_strategy_goal2_kpis') }}
),

goal3 as (
    select * from {{ ref('int_strategy_goal3_kpis') }}
),

goal4 as (
    select * from {{ ref('int_strategy_goal4_kpis') }}
),

final as (
    select * from goal1
    union all
    select * from goal2
    union all
    select * from goal3
    union all
    select * from goal4
)

select * from final

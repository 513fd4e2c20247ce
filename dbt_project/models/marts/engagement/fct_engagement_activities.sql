-- One row per engagement act of a member, with its CASE mode and strategy goal (METRICS.md).
-- Built in int_engagement_activities, which the score and the strategy KPIs read too.
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

activities as (
    select * from {{ ref('int_engagement_activities') }}
),

final as (
    select
        activity_id,
        alumni_key,
        activity_date,
        year,
        month,
        source,
        activity_type,
        engagement_mode,
        strategy_goal
    from activities
)

select * from final

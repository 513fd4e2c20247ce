-- One row per engagement act of a member, with its CASE mode and strategy goal (METRICS.md).
-- The act -> mode -> goal mapping of the seed engagement_act_mapping, applied once: published as
-- fct_engagement_activities and read by the engagement score, the AEM and the strategy KPIs.
with

acts as (
    select * from {{ ref('int_engagement_acts') }}
),

mapping as (
    select * from {{ ref('engagement_act_mapping') }}
),

final as (
    select
        acts.activity_id,
        acts.alumni_key,
        acts.activity_date,
        cast({{ reporting_year('acts.activity_date') }} as integer) as year,
        cast({{ dbt.date_trunc('month', 'acts.activity_date') }} as date) as month,
        acts.source,
        acts.act_code as activity_type,
        mapping.engagement_mode,
        cast(mapping.strategy_goal as integer) as strategy_goal
    from acts
    inner join mapping on acts.act_code = mapping.act_code
)

select * from final

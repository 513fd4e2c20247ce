-- Engagement score v1 per member and month (METRICS.md). Computed incrementally in
-- int_engagement_scores_monthly; this view publishes it without the bookkeeping digest.
{{ config(materialized='view') }}

with

scores as (
    select * from {{ ref('int_engagement_scores_monthly') }}
),

final as (
    select
        alumni_key,
        month,
        engagement_score,
        engagement_tier,
        score_version
    from scores
)

select * from final

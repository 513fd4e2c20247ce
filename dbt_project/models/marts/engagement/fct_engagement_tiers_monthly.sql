-- Members per month, engagement tier and segment (latest attributes): what the dashboard charts, so that
-- no page scans the member-level score table.
with

scores as (
    select * from {{ ref('fct_alumni_engagement_monthly') }}
),

alumni as (
    select * from {{ ref('dim_alumni') }}
),

final as (
    select
        scores.month,
        scores.engagement_tier,
        alumni.status_group,
        alumni.faculty_code,
        alumni.region,
        alumni.club_id is not null as is_club_member,
        count(*) as members,
        round(sum(scores.engagement_score), 4) as score_sum
    from scores
    inner join alumni on scores.alumni_key = alumni.alumni_key
    group by
        scores.month, scores.engagement_tier, alumni.status_group, alumni.faculty_code, alumni.region,
        alumni.club_id is not null
)

select * from final

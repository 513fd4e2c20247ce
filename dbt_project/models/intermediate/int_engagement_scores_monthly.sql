-- Engagement score v1 per member and month (METRICS.md): each month's points weighted 0.5 ^ (k / half-life)
-- over the window of months up to M, in every month in which the member was a member on at least one day.
-- Half-life, window and tier thresholds are in seeds/engagement_scoring.csv (via int_engagement_scoring).
--
-- Incremental by member: a run recomputes the whole history of members whose inputs changed (their digest in
-- int_engagement_score_inputs differs from the one their rows were built from) and, for everyone, the months
-- from the last one built onwards (the new month). A member's score depends only on the member's own spells
-- and points, so everyone else's older rows stay exact. Rows built from an outdated digest (months that are
-- no longer member months) and rows of members who are gone (erased) are deleted in the post-hook.
-- A change to the scoring rules below or to the seed's constants needs `alumni pipeline --full-refresh`.
{{ config(
    materialized='incremental',
    unique_key=['alumni_key', 'month'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where {{ dbt.concat(['alumni_key', \"'|'\", 'inputs_digest']) }} not in
            (select {{ dbt.concat(['alumni_key', \"'|'\", 'inputs_digest']) }}
            from {{ ref('int_engagement_score_inputs') }})"
    ]
) }}

with

months as (
    select * from {{ ref('int_calendar_months') }}
),

spells as (
    select * from {{ ref('int_member_spells') }}
),

points as (
    select * from {{ ref('int_engagement_points_monthly') }}
),

inputs as (
    select * from {{ ref('int_engagement_score_inputs') }}
),

scoring as (
    select * from {{ ref('int_engagement_scoring') }}
),

{% if is_incremental() %}
-- members whose rows were built from other inputs, or not built at all
changed as (
    select inputs.alumni_key
    from inputs
    left join (select distinct alumni_key, inputs_digest from {{ this }}) as built
        on inputs.alumni_key = built.alumni_key and inputs.inputs_digest = built.inputs_digest
    where built.alumni_key is null
),

last_built as (
    select coalesce(max(month), cast('1900-01-01' as date)) as month_start from {{ this }}
),
{% endif %}

-- months in which the member was a member on at least one day
member_months as (
    select distinct
        spells.alumni_key,
        months.month_start,
        months.month_index
    from spells
    inner join months
        on spells.starts_on <= months.month_end and (spells.ends_on is null or spells.ends_on > months.month_start)
    {% if is_incremental() %}
        where
            spells.alumni_key in (select changed.alumni_key from changed)
            or months.month_start >= (select last_built.month_start from last_built)
    {% endif %}
),

-- The points of each member month's window, only for the member months that have some: most have none, and
-- grouping every member month (about 20 million at scale 10) cost more than joining them to these below.
scored_with_points as (
    select
        member_months.alumni_key,
        member_months.month_start,
        sum(
            points.points
            * power(0.5, (member_months.month_index - points.month_index) / cast(scoring.half_life_months as double))
        ) as engagement_score
    from points
    cross join scoring
    inner join member_months
        on
            points.alumni_key = member_months.alumni_key
            and points.month_index
            between member_months.month_index - (scoring.window_months - 1) and member_months.month_index
    group by member_months.alumni_key, member_months.month_start
),

scored as (
    select
        member_months.alumni_key,
        member_months.month_start,
        coalesce(scored_with_points.engagement_score, 0) as engagement_score
    from member_months
    left join scored_with_points
        on
            member_months.alumni_key = scored_with_points.alumni_key
            and member_months.month_start = scored_with_points.month_start
),

final as (
    select
        scored.alumni_key,
        scored.month_start as month,
        round(scored.engagement_score, 4) as engagement_score,
        case
            when scored.engagement_score = 0 then 'inactive'
            when scored.engagement_score < scoring.active_from then 'interested'
            when scored.engagement_score < scoring.champion_from then 'active'
            else 'champion'
        end as engagement_tier,
        'v1' as score_version,
        inputs.inputs_digest
    from scored
    inner join inputs on scored.alumni_key = inputs.alumni_key
    cross join scoring
)

-- Stored in member order: a member's months then sit together, which compresses the keyed hash about
-- sixfold and makes copying the table into the published file about three times faster.
select * from final
order by alumni_key, month

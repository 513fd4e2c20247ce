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
-- The post-hook is an anti-join on the member and the digest: as `key || '|' || digest not in (...)` it built a
-- text for each of the 20 million rows at scale 10 (0.62 s of a month's build, now 0.26 s; docs/benchmarks.md,
-- thirty-eighth pass), and one empty digest would have made it delete nothing.
{{ config(
    materialized='incremental',
    unique_key=['alumni_key', 'month'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where not exists (
            select 1 from {{ ref('int_engagement_score_inputs') }} as inputs
            where inputs.alumni_key = {{ this }}.alumni_key
                and inputs.inputs_digest is not distinct from {{ this }}.inputs_digest
        )"
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

-- Every member numbered in the order of the keyed hash. The heavy steps below (about 20 million member months at
-- scale 10, 100 million at scale 50) work on pairs of integers, (member_no, month_index), instead of the
-- 64-character hash and a date: the keyed hash and the digest are joined back once, at the end. At scale 10 with a
-- fifth of the memory limit this took the model from 58 s to 27 s and what DuckDB writes to its temporary
-- directory from 7.5 to 4.2 GB (at scale 50 the former filled the disk; docs/benchmarks.md, sixth pass).
members as (
    select
        alumni_key,
        inputs_digest,
        cast(row_number() over (order by alumni_key) as integer) as member_no
    from inputs
),

-- each spell with the number of its member's spells
counted_spells as (
    select
        *,
        count(*) over (partition by alumni_key) as member_spells
    from spells
),

-- The months in which a member was a member on at least one day, per spell. Not materialised: each branch of
-- `member_months` reads it with its own filter (materialised, its 20 million rows at scale 10 were written once more).
spell_months as not materialized (
    select
        members.member_no,
        months.month_index,
        counted_spells.member_spells
    from counted_spells
    inner join members on counted_spells.alumni_key = members.alumni_key
    inner join months
        on
            counted_spells.starts_on <= months.month_end
            and (counted_spells.ends_on is null or counted_spells.ends_on > months.month_start)
    {% if is_incremental() %}
        where
            counted_spells.alumni_key in (select changed.alumni_key from changed)
            or months.month_start >= (select last_built.month_start from last_built)
    {% endif %}
),

-- months in which the member was a member on at least one day: a member with one spell has each month once, and
-- only the months of members with several spells (1,523 of 229,461 spells at scale 10) can repeat. Made distinct
-- all together, the 20 million member months at scale 10 filled a hash table of their own: the query took
-- 7.2-7.5 s, now 6.1 s, the same rows (docs/benchmarks.md, thirty-sixth pass).
member_months as (
    select
        member_no,
        month_index
    from spell_months
    where member_spells = 1
    union all
    select distinct
        member_no,
        month_index
    from spell_months
    where member_spells > 1
),

member_points as (
    select
        members.member_no,
        points.month_index,
        points.points
    from points
    inner join members on points.alumni_key = members.alumni_key
),

-- The points of each member month's window, only for the member months that have some: most have none, and
-- grouping every member month (about 20 million at scale 10) cost more than joining them to these below.
scored_with_points as (
    select
        member_months.member_no,
        member_months.month_index,
        sum(
            member_points.points
            * power(
                0.5,
                (member_months.month_index - member_points.month_index) / cast(scoring.half_life_months as double)
            )
        ) as engagement_score
    from member_points
    cross join scoring
    inner join member_months
        on
            member_points.member_no = member_months.member_no
            and member_points.month_index
            between member_months.month_index - (scoring.window_months - 1) and member_months.month_index
    group by member_months.member_no, member_months.month_index
),

scored as (
    select
        member_months.member_no,
        member_months.month_index,
        coalesce(scored_with_points.engagement_score, 0) as engagement_score
    from member_months
    left join scored_with_points
        on
            member_months.member_no = scored_with_points.member_no
            and member_months.month_index = scored_with_points.month_index
),

-- Stored in member order: a member's months then sit together, which compresses the keyed hash about sixfold
-- and makes copying the table into the published file about three times faster. The order serves only that:
-- no reader relies on it.
--
-- Sorted by the numbers (the same order as by (alumni_key, month)) before the keyed hash and the digest are
-- joined back, which spares the sort carrying both (at scale 10 7.1-7.5 s instead of 11.4-11.7 s, nothing
-- spilled). DuckDB does not promise that a join keeps its input's order; with DuckDB 2.0.1 the joins to the two
-- small tables kept it but for one break in 20 million rows (docs/benchmarks.md, twenty-eighth pass): measure
-- again after an upgrade.
sorted_scores as (
    select
        member_no,
        month_index,
        engagement_score
    from scored
    order by member_no, month_index
),

final as (
    select
        members.alumni_key,
        months.month_start as month,
        round(sorted_scores.engagement_score, 4) as engagement_score,
        case
            when sorted_scores.engagement_score = 0 then 'inactive'
            when sorted_scores.engagement_score < scoring.active_from then 'interested'
            when sorted_scores.engagement_score < scoring.champion_from then 'active'
            else 'champion'
        end as engagement_tier,
        'v1' as score_version,
        members.inputs_digest
    from sorted_scores
    inner join members on sorted_scores.member_no = members.member_no
    inner join months on sorted_scores.month_index = months.month_index
    cross join scoring
)

select * from final

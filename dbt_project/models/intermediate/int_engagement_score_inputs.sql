-- One row per member: a digest of everything the member's monthly scores are computed from (membership
-- spells and points per month). int_engagement_scores_monthly recomputes a member's history only when this
-- digest changes: a new act, a late-matched click, a new spell or a changed act -> mode mapping.
with

spells as (
    select * from {{ ref('int_member_spells') }}
),

points as (
    select * from {{ ref('int_engagement_points_monthly') }}
),

spell_parts as (
    select
        alumni_key,
        {{ dbt.listagg(
            dbt.concat([
                dbt.safe_cast("starts_on", dbt.type_string()), "'..'",
                "coalesce(" ~ dbt.safe_cast("ends_on", dbt.type_string()) ~ ", '')"
            ]),
            "','",
            "order by starts_on"
        ) }} as spells_text
    from spells
    group by alumni_key
),

point_parts as (
    select
        alumni_key,
        {{ dbt.listagg(
            dbt.concat([
                dbt.safe_cast("month_index", dbt.type_string()), "':'", dbt.safe_cast("points", dbt.type_string())
            ]),
            "','",
            "order by month_index"
        ) }} as points_text
    from points
    group by alumni_key
),

final as (
    select
        spell_parts.alumni_key,
        {{ dbt.hash(dbt.concat(["spell_parts.spells_text", "'|'", "coalesce(point_parts.points_text, '')"])) }}
            as inputs_digest
    from spell_parts
    left join point_parts on spell_parts.alumni_key = point_parts.alumni_key
)

select * from final

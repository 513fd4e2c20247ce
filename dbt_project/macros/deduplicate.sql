{# Keep one row per key: overlapping exports repeat rows. Portable (no QUALIFY); adds column _dedupe_row. #}
{% macro deduplicate(relation, partition_by, order_by) -%}
    select ranked.*
    from (
        select
            {{ relation }}.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _dedupe_row
        from {{ relation }}
    ) as ranked
    where ranked._dedupe_row = 1
{%- endmacro %}

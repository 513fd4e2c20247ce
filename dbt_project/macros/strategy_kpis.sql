{#- The strategy goal models compute one column per KPI and year (a `per_year` CTE); this turns those columns
    into one row per KPI and year (year, is_partial, kpi_id, kpi_value), portably (no UNPIVOT). `kpis` maps
    kpi_id -> column, in the order of seeds/strategy_kpi_catalogue.csv. -#}
{% macro unpivot_kpis(relation, kpis) %}
    {% for kpi_id, column in kpis.items() %}
        select
            {{ relation }}.year,
            {{ relation }}.is_partial,
            '{{ kpi_id }}' as kpi_id,
            cast({{ relation }}.{{ column }} as {{ dbt.type_float() }}) as kpi_value
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
{% endmacro %}

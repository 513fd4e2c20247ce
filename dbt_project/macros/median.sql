{# Median with the mean of the two middle values for an even count (METRICS.md). #}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'alumni')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}

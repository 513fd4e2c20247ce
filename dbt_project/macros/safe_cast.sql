{#- DuckDB's own cast fails the whole model on one value that is not of the type ("2020-13-45"); dbt's
    safe_cast means "null instead" there, as it does on BigQuery, Snowflake and Spark. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

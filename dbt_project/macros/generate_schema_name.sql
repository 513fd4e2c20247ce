{# Schemas are named as configured (staging, intermediate, marts), not main_<schema> (STACK.md pitfall 8). #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

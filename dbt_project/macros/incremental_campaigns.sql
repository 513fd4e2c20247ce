{#- Campaign ids with rows in `relation` loaded after the newest load already built into this model, for a
    filter written as literals (`campaign_id in ({{ literal_list(ids) }})`): a filter on constants reaches
    through views and de-duplication down to the table scans; a subquery there would read every row. -#}
{% macro campaigns_loaded_since_last_build(relation, loaded_column) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select distinct campaign_id
        from {{ relation }}
        where campaign_id is not null and {{ loaded_column }} > (
            select coalesce(max(loaded_at), cast('1900-01-01' as timestamp)) from {{ this }}
        )
        order by 1
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()) }}
{% endmacro %}

{#- Values as a comma-separated list of quoted SQL literals; `null` for none (so `in (...)` matches nothing). -#}
{% macro literal_list(values) -%}
    {%- for value in values %}'{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- else %}null{% endfor -%}
{%- endmacro %}

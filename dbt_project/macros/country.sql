{# CONTRACTS.md §3: a country is given by its German or English name, or its ISO 3166 alpha-2 code.
   Join condition against the `countries` seed, in one place for every source that carries a country. #}
{% macro country_matches(label, countries='countries') -%}
    (
        upper(trim({{ label }})) = {{ countries }}.country_code
        or lower(trim({{ label }})) = lower({{ countries }}.name_de)
        or lower(trim({{ label }})) = lower({{ countries }}.name_en)
    )
{%- endmacro %}

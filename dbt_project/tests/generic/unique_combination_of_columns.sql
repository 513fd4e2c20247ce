{% test unique_combination_of_columns(model, combination_of_columns) %}
{#- The grain of a model: no two rows share these columns. -#}
{{ adapter.dispatch('duplicate_keys', 'alumni')(model, combination_of_columns) }}
{% endtest %}

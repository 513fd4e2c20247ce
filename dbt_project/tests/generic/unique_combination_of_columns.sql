{% test unique_combination_of_columns(model, combination_of_columns) %}
{#- The grain of a model: no two rows share these columns. -#}
select {{ combination_of_columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Rows of `model` whose `columns` repeat (the query behind the unique_combination_of_columns test). -#}
{% macro default__duplicate_keys(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#- DuckDB: group 64-bit hashes of the key first (several times faster on tens of millions of rows with long
    keyed-hash strings); only keys whose hash repeats are compared exactly, so a collision is never a finding. -#}
{% macro duckdb__duplicate_keys(model, columns) %}
with repeated_hashes as (
    select hash({{ columns | join(', ') }}) as key_hash
    from {{ model }}
    group by 1
    having count(*) > 1
)

select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
where hash({{ columns | join(', ') }}) in (select repeated_hashes.key_hash from repeated_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

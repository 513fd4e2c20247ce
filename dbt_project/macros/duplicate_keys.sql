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

{#- dbt's `unique` test, for DuckDB in the same two steps (dbt dispatches `test_unique` to the root project's
    `duckdb__test_unique` first): the same rows as dbt's own query (each repeated value and its count), found by
    grouping 64-bit hashes first. Scale 10, `activity_id` of int_newsletter_events (11.3 million 32-character
    values, a test of every build; alternately, five times each): 1.0-1.2 s against 1.5-2.0 s. -#}
{% macro duckdb__test_unique(model, column_name) %}
with repeated_hashes as (
    select hash({{ column_name }}) as key_hash
    from {{ model }}
    where {{ column_name }} is not null
    group by 1
    having count(*) > 1
)

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null and hash({{ column_name }}) in (select repeated_hashes.key_hash from repeated_hashes)
group by {{ column_name }}
having count(*) > 1
{% endmacro %}

{#- Rows of `model` whose `columns` repeat (the query behind the unique_combination_of_columns test). -#}
{% macro default__duplicate_keys(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#- DuckDB: 64-bit hashes of the key first (several times faster on tens of millions of rows with long keyed-hash
    strings than grouping the strings); only keys whose hash repeats are compared exactly, so a collision is never a
    finding. The repeated hashes are found by sorting them and comparing each with the one before it, not by grouping
    them: almost every key is distinct, so a grouping builds a hash table with a group for nearly every row. The
    scores' 20 million keys at scale 10: 0.93 s instead of 1.55-1.92 s (docs/benchmarks.md, issue 13, forty-first
    pass). -#}
{% macro duckdb__duplicate_keys(model, columns) %}
with repeated_hashes as (
    select key_hash
    from (
        select key_hash, lag(key_hash) over (order by key_hash) as previous_hash
        from (select hash({{ columns | join(', ') }}) as key_hash from {{ model }}) as key_hashes
    ) as sorted_hashes
    where key_hash = previous_hash
)

select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
where hash({{ columns | join(', ') }}) in (select repeated_hashes.key_hash from repeated_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#- dbt's `unique` test on DuckDB (dbt dispatches `test_unique` to the root project's `duckdb__test_unique`
    first): the repeated keys above, over the column's non-null values, in the columns dbt's own query gives (each
    repeated value and its count). `activity_id` of int_newsletter_events at scale 10: 1.3-1.5 s instead of
    2.0-3.3 s (the same pass). -#}
{% macro duckdb__test_unique(model, column_name) %}
{%- set present -%}
(select {{ column_name }} as unique_field from {{ model }} where {{ column_name }} is not null)
{%- endset %}
select unique_field, rows_with_key as n_records
from ({{ duckdb__duplicate_keys(present, ['unique_field']) }}) as repeated
{% endmacro %}

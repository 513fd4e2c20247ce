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
    them: almost every key is distinct, so a grouping builds a hash table with a group for nearly every row. Scale
    10, alone (docs/benchmarks.md, issue 13, forty-first pass): int_engagement_scores_monthly's 20 million keys
    0.93 s instead of 1.55-1.92 s, int_newsletter_events' 11.4 million 0.73-0.76 s instead of 1.25-1.47 s; 100
    million keys of that shape 5.2-5.6 s and 3.1 GiB instead of 8.2-8.8 s and 3.8 GiB. -#}
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
    repeated value and its count). Scale 10, `activity_id` of int_newsletter_events (11.3 million 32-character
    values, a test of every build; as dbt wraps it, alternately, five times each): 1.3-1.5 s against 2.0-3.3 s with
    the hashes grouped; sorted, the test took 0.87 s in a month's build where it had taken 1.50 s. -#}
{% macro duckdb__test_unique(model, column_name) %}
{%- set present -%}
(select {{ column_name }} as unique_field from {{ model }} where {{ column_name }} is not null)
{%- endset %}
select unique_field, rows_with_key as n_records
from ({{ duckdb__duplicate_keys(present, ['unique_field']) }}) as repeated
{% endmacro %}

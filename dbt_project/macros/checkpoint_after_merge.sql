{#- A post-hook of every model (dbt_project.yml), run after the model's commit: an incremental run's merge
    (delete+insert) is checkpointed at once. DuckDB keeps what it needs to know about deleted rows in memory
    until a checkpoint rewrites their row groups (duckdb/duckdb#23964: up to 8 bytes for each deleted row), and
    the merge's commit did not checkpoint by itself: the next statement of the build inherited that memory under
    the limit. At scale 10 with a limit of 400 MB (a fifth of the default 2 GB, as scale 50 has five times the
    rows), the uniqueness test of the monthly scores, right after their merge, ran out of memory in each of four
    runs, `select 1` between them did not help, and a checkpoint did; at scale 50 the same test had failed so at
    2 GB (docs/benchmarks.md, issue 13, eighteenth and nineteenth pass). What it costs the month at scale 10
    was within the host's noise in alternating runs; a few seconds cannot be excluded.
    Nothing for a table, a view or an incremental model's first or full build, which create a new table instead
    of merging (`is_incremental()` asked after the build: a table built in this run is not in dbt's cache of
    relations yet). The warehouse by its name: dbt's own database is in memory, the warehouse attached to it
    (profiles.yml). -#}
{% macro checkpoint_after_merge() %}
    {%- if execute and model.config.materialized == 'incremental' and is_incremental() -%}
        checkpoint {{ this.database }}
    {%- endif -%}
{% endmacro %}

{#- A post-hook of every model (dbt_project.yml), run after the model's commit: an incremental run's merge
    (delete+insert) is checkpointed at once. DuckDB keeps up to 8 bytes for each deleted row in memory until a
    checkpoint rewrites their row groups (duckdb/duckdb#23964), and the merge's commit does not checkpoint by
    itself: the next statement inherited that memory under the limit, and the uniqueness test right after the
    monthly scores' merge ran out of memory (scale 50 at 2 GB; scale 10 at a fifth of it), where a checkpoint
    between them mended it. Its cost was within the host's noise (docs/benchmarks.md, issue 13, eighteenth and
    nineteenth pass).
    Nothing for a table, a view or an incremental model's first or full build, which create a new table instead
    of merging (`is_incremental()` asked after the build: a table built in this run is not in dbt's cache of
    relations yet). The warehouse by its name: dbt's own database is in memory, the warehouse attached to it
    (profiles.yml). -#}
{% macro checkpoint_after_merge() %}
    {%- if execute and model.config.materialized == 'incremental' and is_incremental() -%}
        checkpoint {{ this.database }}
    {%- endif -%}
{% endmacro %}

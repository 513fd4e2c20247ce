{#- A post-hook of every model (dbt_project.yml), run after the model's commit: an incremental run's merge
    (delete+insert) is checkpointed at once. Until a checkpoint, DuckDB holds what the merge changed in memory
    that it cannot spill, and a merge that deletes rows is not checkpointed by itself on commit: the next
    statement of the build inherited that memory under the limit. At scale 10 with a limit of 400 MB (a fifth
    of the default 2 GB, as scale 50 has five times the rows), the uniqueness test of the monthly scores, right
    after their merge, ran out of memory in each of four runs, a statement between them (`select 1`) did not
    help, and a checkpoint did; at scale 50 the same test had failed so at 2 GB (docs/benchmarks.md, issue 13,
    eighteenth and nineteenth pass). Nothing for a table, a view or an incremental model's first or full build,
    which create a new table instead of merging. -#}
{% macro checkpoint_after_merge() %}
    {%- if execute and model.config.materialized == 'incremental' and is_incremental() -%}
        checkpoint
    {%- endif -%}
{% endmacro %}

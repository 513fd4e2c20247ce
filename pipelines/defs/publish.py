"""Publish analytics.duckdb: the marts and meta tables only, built as a new file and renamed into place."""

import os
import re
from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines import freshness
from pipelines.defs.transform import alumni_dbt_models
from pipelines.ingest import filenames, guards
from pipelines.ingest.privacy import load_key, personal_column_names
from pipelines.resources import WarehouseResource
from pipelines.settings import DataDir

# Column names that would mean personal data leaked into a mart: publishing refuses them (flags such as
# has_email are fine: they say whether, not what). First the columns declared personal or hashed in
# sources.py / tools.py (and their keyed hashes), under their own names; then, as a second net for a renamed
# copy, these name parts.
FORBIDDEN_COLUMNS = re.compile(
    r"(^|_)(e_?mail|first_name|last_name|vorname|nachname|member_id|user_agent|note|notiz|salutation|title)($|_)"
)
META_TABLES = {
    "meta_pipeline_runs": "select * from meta.pipeline_runs order by started_at",
    "meta_data_quality": "select run_id, check_name, source, severity, passed, observed_value, details, checked_at "
    "from meta.data_quality",
    "meta_ingested_files": "select run_id, source, file_name, sha256, size_bytes, encoding, delimiter, rows_read, "
    "rows_loaded, rows_quarantined, rows_erased, status, reason, ingested_at, tool, kind, language, exported_at "
    "from meta.ingested_files",
    # message: column, expectation and - for columns that are not personal - the value
    "meta_quarantine": "select run_id, source, file_name, line_number, column_name, reason_code, reason, message "
    "from meta.quarantine_log",
}


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, started_at: datetime, status: str) -> None:
    """One row per run in meta.pipeline_runs, with this run's file and row counts from the ledger."""
    con.execute("delete from meta.pipeline_runs where run_id = ?", [run_id])
    con.execute(
        """
        insert into meta.pipeline_runs
        select ?, ?, now()::timestamp, ?,
               count(*) filter (where status = 'loaded'),
               coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),
               count(*) filter (where status = 'rejected')
        from meta.ingested_files where run_id = ?
        """,
        [run_id, started_at.replace(tzinfo=None), status, run_id],
    )


def leaked_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The mart columns (`table.column`) whose names say they hold personal data: a column declared personal
    or hashed in a raw table, or its keyed hash, under its own name, or a name with a FORBIDDEN_COLUMNS part."""
    declared = personal_column_names()
    return [
        f"{table}.{column}"
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
        if (column.lower() in declared or FORBIDDEN_COLUMNS.search(column.lower()))
        and not column.lower().startswith(("has_", "is_"))
    ]


def publish(con: duckdb.DuckDBPyConnection, data_dir: DataDir, published_run: str | None = None) -> list[str]:
    """Copy marts and meta tables into a new file, check it, then rename it over analytics.duckdb."""
    target = data_dir.analytics
    tmp = target.with_name(target.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        if leftover.exists():
            leftover.unlink()
    marts = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    leaked = leaked_columns(con)
    if leaked:
        raise RuntimeError(f"refusing to publish: personal-data columns in marts: {', '.join(leaked)}")
    quoted = str(tmp).replace("'", "''")  # a data directory's path may hold a quote (/srv/o'neil)
    con.execute(f"attach '{quoted}' as publish_target")
    try:
        for name in marts:
            con.execute(f"create table publish_target.main.{name} as select * from marts.{name}")
        for name, query in META_TABLES.items():
            con.execute(f"create table publish_target.main.{name} as {query}")
        publish_file_names(con, "publish_target.main", load_key(data_dir.secrets))
        if published_run:  # the run that publishes this file has succeeded once the file is in place
            con.execute(
                "update publish_target.main.meta_pipeline_runs set status = 'success' where run_id = ?",
                [published_run],
            )
    finally:
        con.execute("detach publish_target")
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return marts + list(META_TABLES)


def publish_file_names(con: duckdb.DuckDBPyConnection, schema: str, key: bytes) -> None:
    """Landing file names in the published meta tables only where they follow a known pattern (filenames.py)."""
    names = [
        name
        for (name,) in con.execute(
            f"select distinct file_name from {schema}.meta_ingested_files union "
            f"select distinct file_name from {schema}.meta_quarantine"
        ).fetchall()
        if name is not None and not filenames.is_known(name)
    ]
    for name in names:
        public = filenames.public_name(name, key)
        folder = name.split("/", 1)[0] if "/" in name else ""
        for table in ("meta_ingested_files", "meta_quarantine"):
            # an unrecognised file's source is its folder: shown only where that is a known landing folder
            con.execute(
                f"update {schema}.{table} set file_name = ?, reason = replace(reason, ?, ?), "
                "source = case when source = ? then ? else source end where file_name = ?",
                [public, name, public, folder, filenames.public_folder(folder), name],
            )
        con.execute(
            f"update {schema}.meta_ingested_files set reason = replace(reason, ?, ?) where contains(reason, ?)",
            [name, public, name],
        )


@dg.asset(
    key=dg.AssetKey(["analytics"]),
    group_name="publish",
    deps=alumni_dbt_models.keys,
    kinds={"duckdb"},
    description="analytics.duckdb: marts and meta tables only, pseudonymous; swapped in atomically.",
)
def analytics_file(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    run_id = context.run.run_id
    stats = context.instance.get_run_stats(run_id)
    started = datetime.fromtimestamp(stats.start_time, UTC) if stats.start_time else datetime.now(UTC)
    with warehouse.connect() as con:
        # `publishing` until the new file is in place: a run killed before is not recorded as a success
        record_run(con, run_id, started, "publishing")
        try:
            tables = publish(con, warehouse.data, published_run=run_id)
        except BaseException:  # whoever started the run (CLI, sensor, schedule, UI) sees it failed
            record_run(con, run_id, started, "failed")
            raise
        con.execute("update meta.pipeline_runs set status = 'success' where run_id = ?", [run_id])
    context.log.info(f"published {len(tables)} tables to {warehouse.data.analytics}")
    warehouse.release()  # the rewrite is a writer of its own
    seconds = guards.compact_after_erasure(warehouse.data)
    if seconds is not None:
        context.log.info(
            f"warehouse.duckdb rewritten after an erasure ({seconds:.1f} s): no deleted value stays"
        )
    # Recorded only for a run of the whole job (CLI, sensor, schedule). A run of selected assets (the UI: a
    # subset of the job) may have built less than landing/ holds; then the next run builds again.
    if not context.job_def.is_subset:
        with warehouse.connect() as con:  # last: what the next run compares with to find nothing new
            freshness.record_build(con, warehouse.data, run_id)
    return dg.MaterializeResult(metadata={"tables": len(tables), "path": str(warehouse.data.analytics)})


defs = dg.Definitions(assets=[analytics_file])

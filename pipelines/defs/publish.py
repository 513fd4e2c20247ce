"""Publish analytics.duckdb: the marts and meta tables only, built as a new file and renamed into place."""

import os
import re
from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines.defs.transform import alumni_dbt_models
from pipelines.ingest import filenames
from pipelines.ingest.privacy import load_key
from pipelines.ingest.sources import SOURCES
from pipelines.resources import WarehouseResource
from pipelines.settings import DataDir

# Column names that would mean personal data leaked into a mart: publishing refuses them (flags such as
# has_email are fine: they say whether, not what).
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


def publish(con: duckdb.DuckDBPyConnection, data_dir: DataDir) -> list[str]:
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
    leaked = [
        f"{table}.{column}"
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
        if FORBIDDEN_COLUMNS.search(column.lower()) and not column.lower().startswith(("has_", "is_"))
    ]
    if leaked:
        raise RuntimeError(f"refusing to publish: personal-data columns in marts: {', '.join(leaked)}")
    con.execute(f"attach '{tmp}' as publish_target")
    try:
        for name in marts:
            con.execute(f"create table publish_target.main.{name} as select * from marts.{name}")
        for name, query in META_TABLES.items():
            con.execute(f"create table publish_target.main.{name} as {query}")
        publish_file_names(con, "publish_target.main", load_key(data_dir.secrets))
    finally:
        con.execute("detach publish_target")
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
        for table in ("meta_ingested_files", "meta_quarantine"):
            con.execute(
                f"update {schema}.{table} set file_name = ?, reason = replace(reason, ?, ?) where file_name = ?",
                [public, name, public, name],
            )
        con.execute(
            f"update {schema}.meta_ingested_files set reason = replace(reason, ?, ?) where contains(reason, ?)",
            [name, public, name],
        )
    known = sorted({s.name for s in SOURCES} | set(filenames.RULES) | {"unknown"})
    for table in ("meta_ingested_files", "meta_quarantine"):
        con.execute(
            f"update {schema}.{table} set source = 'unknown' where source not in ({', '.join('?' * len(known))})",
            known,
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
        record_run(con, run_id, started, "success")  # before the copy: the new file shows this run
        try:
            tables = publish(con, warehouse.data)
        except BaseException:  # whoever started the run (CLI, sensor, schedule, UI) sees it failed
            record_run(con, run_id, started, "failed")
            raise
    context.log.info(f"published {len(tables)} tables to {warehouse.data.analytics}")
    return dg.MaterializeResult(metadata={"tables": len(tables), "path": str(warehouse.data.analytics)})


defs = dg.Definitions(assets=[analytics_file])

"""The warehouse's tables: raw.<source> and quarantine.<source> for every raw table, and the meta tables
(ledger, quarantine log, erased identities, data quality, runs). Created where missing; a warehouse made by an
earlier version gets the columns added since.
"""

from __future__ import annotations

import duckdb

from pipelines.ingest.catalogue import raw_tables
from pipelines.ingest.landing import export_time_in_name
from pipelines.ingest.sources import BOOL, DATE, DATETIME, DECIMAL, EMAIL, INT, YEAR, Source

SQL_TYPES = {
    DATE: "date",
    DATETIME: "timestamp",
    BOOL: "boolean",
    INT: "integer",
    DECIMAL: "decimal(14, 2)",
    YEAR: "integer",
}


# the schemas the ingest writes; every other schema of the warehouse is dbt's
INGEST_SCHEMAS = ("raw", "quarantine", "meta")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for schema in INGEST_SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    con.execute(
        """
        create table if not exists meta.ingested_files (
            run_id varchar, source varchar, file_name varchar, sha256 varchar, size_bytes bigint,
            encoding varchar, delimiter varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
            rows_erased bigint, status varchar, reason varchar, ingested_at timestamp
        )
        """
    )
    con.execute(
        """
        create table if not exists meta.quarantine_log (
            run_id varchar, source varchar, file_name varchar, line_number bigint, column_name varchar,
            reason_code varchar, reason varchar, message varchar
        )
        """
    )
    # added after the first release: warehouses created before get the column on their next run
    con.execute("alter table meta.quarantine_log add column if not exists message varchar")
    # size and modification time of each landing file when its bytes were last hashed: an unchanged file that
    # the ledger already has is skipped without reading it again (gigabytes of exports on every run)
    con.execute(
        """
        create table if not exists meta.landing_file_stats (
            file_name varchar primary key, size_bytes bigint, mtime_ns bigint, sha256 varchar
        )
        """
    )
    con.execute(
        """
        create table if not exists meta.erased_identities (
            hash varchar primary key, kind varchar, requested_on date, first_seen_run varchar,
            swept_everywhere_at timestamp
        )
        """
    )
    # added later: an identity whose rows were removed from every table gets a stamp, so that a full sweep only
    # searches for identities that are new since (earlier warehouses: null, so their first run sweeps them all)
    con.execute("alter table meta.erased_identities add column if not exists swept_everywhere_at timestamp")
    con.execute(
        "create table if not exists meta.erasure_log (run_id varchar, table_name varchar, rows_affected bigint, "
        "swept_at timestamp)"
    )
    # the upgrades of rows an earlier version loaded that this warehouse has had (pipelines/ingest/upgrade.py)
    con.execute(
        "create table if not exists meta.upgrades "
        "(name varchar, applied_at timestamp, rows_changed bigint, full_refresh_done_at timestamp)"
    )
    # added later: rows taken out of a file's staged rows before they were written (privacy.erase_before_writing)
    # leave nothing in the file's bytes, so they do not call for the rewrite (earlier warehouses: null, written)
    con.execute("alter table meta.erasure_log add column if not exists before_writing boolean")
    con.execute(
        """
        create table if not exists meta.data_quality (
            run_id varchar, check_name varchar, source varchar, severity varchar, passed boolean,
            observed_value double, details varchar, checked_at timestamp
        )
        """
    )
    con.execute(
        """
        create table if not exists meta.pipeline_runs (
            run_id varchar primary key, started_at timestamp, finished_at timestamp, status varchar,
            files_loaded bigint, rows_loaded bigint, rows_quarantined bigint, files_rejected bigint
        )
        """
    )
    # added with the tool exports (TOOLS.md §1): which tool wrote a file, the kind recognised, its language
    for column in ("tool", "kind", "language"):
        con.execute(f"alter table meta.ingested_files add column if not exists {column} varchar")
    ledger_columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'meta' and table_name = 'ingested_files'"
        ).fetchall()
    }
    if "exported_at" not in ledger_columns:
        # the truncation guard compares export dates: the files recorded before get theirs from their names
        con.execute("alter table meta.ingested_files add column exported_at timestamp")
        _backfill_export_times(con, "meta.ingested_files", "file_name", "exported_at")
    # what the raw and quarantine tables have, in one query: every connection checks the schema (a run's steps
    # share one; a command outside a run opens its own), and a query per table cost tens of milliseconds
    present: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name in ('raw', 'quarantine')"
    ).fetchall():
        present.setdefault((schema, table), set()).add(column)
    for source in raw_tables():
        _ensure_tables(con, source, present)


# The columns every raw and quarantine table has besides its source's: (name, type, value when a file loads,
# in the SQL of rules.py: `$file`, `$sha`, `$run`, `$exported` are the file's parameters).
META_COLUMNS = (
    ("_source_file", "varchar", "$file"),
    ("_file_sha256", "varchar", "$sha"),
    ("_line", "bigint", "_line"),
    ("_run_id", "varchar", "$run"),
    ("_loaded_at", "timestamp", "now()"),
    # the file's export time (TOOLS.md §1): where overlapping exports disagree, the latest export wins
    ("_exported_at", "timestamp", "$exported"),
)
# Further columns of a quarantine table: a malformed record's raw text, the broken rule's column and reason, the
# message (with the value only where the column is not personal).
QUARANTINE_COLUMNS = (
    ("_raw_record", "varchar"),
    ("_column", "varchar"),
    ("_reason", "varchar"),
    ("_message", "varchar"),
)


def raw_table_columns(source: Source) -> list[tuple[str, str]]:
    """(name, type) of raw.<source>: the stored columns typed (an address with its validity), the keyed
    hashes, the meta columns."""
    typed = []
    for c in source.stored_columns:
        typed.append((c.name, SQL_TYPES.get(c.kind, "varchar")))
        if c.kind == EMAIL:
            typed.append((f"{c.name}_valid", "boolean"))
    return typed + _hash_and_meta(source)


def quarantine_table_columns(source: Source) -> list[tuple[str, str]]:
    """(name, type) of quarantine.<source>: the stored columns as the text they were, the keyed hashes, the meta
    columns and the quarantine's own."""
    strings = [(c.name, "varchar") for c in source.stored_columns]
    return strings + _hash_and_meta(source) + list(QUARANTINE_COLUMNS)


def _hash_and_meta(source: Source) -> list[tuple[str, str]]:
    hashes = [(f"{c.name}_hash", "varchar") for c in source.hashed_columns]
    return hashes + [(name, sql_type) for name, sql_type, _ in META_COLUMNS]


def _ensure_tables(
    con: duckdb.DuckDBPyConnection, source: Source, existing: dict[tuple[str, str], set[str]]
) -> None:
    for table, columns in (
        (f"raw.{source.name}", raw_table_columns(source)),
        (f"quarantine.{source.name}", quarantine_table_columns(source)),
    ):
        schema, name = table.split(".")
        present = existing.get((schema, name))
        if present is None:
            con.execute(f"create table {table} ({', '.join(f'{n} {t}' for n, t in columns)})")
            continue
        # warehouses made by an earlier version get the columns added since (empty for their old rows)
        for column, sql_type in columns:
            if column not in present:
                con.execute(f"alter table {table} add column {column} {sql_type}")
        if "_exported_at" not in present:
            # the rows loaded before the column existed: the export time of their file names
            _backfill_export_times(con, table, "_source_file", "_exported_at")


def _backfill_export_times(con: duckdb.DuckDBPyConnection, table: str, name_column: str, column: str) -> None:
    """Set `column` where it is empty from the file name in `name_column`, as the loader does (landing.py)."""
    names = con.execute(f"select distinct {name_column} from {table} where {column} is null").fetchall()
    for (name,) in names:
        exported_at = export_time_in_name(name) if name else None
        if exported_at is not None:
            con.execute(
                f"update {table} set {column} = ? where {name_column} = ? and {column} is null",
                [exported_at, name],
            )

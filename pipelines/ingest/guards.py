"""Guards against the operator's everyday mistakes (issue 11), before and after a file's rows load.

Before: a landing entry that is not a regular file (a symbolic link, a pipe) is never read, and a file name
whose date cannot be right is refused. After (inside the file's transaction, so a refused file leaves nothing):
a snapshot with far fewer rows than the one before it is refused as truncated.
A reason names what is wrong and never quotes the file's content.
"""

from __future__ import annotations

import os
import stat
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.ingest.landing import date_in_name, export_date_in_name
from pipelines.ingest.schema import INGEST_SCHEMAS
from pipelines.settings import attach_warehouse, open_warehouse

# Dates a value or a file name may carry: older ones are typos (0001-01-01), later ones placeholders (9999-12-31).
EARLIEST_DATE = date(1900, 1, 1)
FUTURE_YEARS = 2
# Sources delivered as full exports: a snapshot far smaller than the one before it is a truncated export.
SNAPSHOT_SOURCES = ("members", "clubs")
TRUNCATION_ENV = "ALUMNI_TRUNCATION_THRESHOLD"
DEFAULT_TRUNCATION_THRESHOLD = 0.5


def latest_plausible_date(today: date | None = None) -> date:
    today = today or date.today()
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FUTURE_YEARS, day=28)


def plausible_sql(expr: str) -> str:
    """SQL: true when the date (or timestamp) `expr` lies within EARLIEST_DATE ... today + FUTURE_YEARS."""
    return (
        f"(cast({expr} as date) >= date '{EARLIEST_DATE.isoformat()}' "
        f"and cast({expr} as date) <= current_date + interval {FUTURE_YEARS} year)"
    )


def entry_problem(path: Path) -> str | None:
    """Only regular files are read: a symbolic link is not followed (it may point anywhere, e.g. /etc/passwd)."""
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return (
            "symbolic_link: a symbolic link in landing is not followed; copy the export itself into landing"
        )
    if not stat.S_ISREG(mode):
        return "not_a_regular_file: only regular files in landing are read"
    return None


def link_fingerprint(path: Path) -> bytes:
    """What identifies a landing entry that is not read: its own name and the link's target, not content."""
    try:
        target = os.readlink(path) if path.is_symlink() else ""
    except OSError:  # removed meanwhile
        target = ""
    return f"{path.name}\0{target}".encode()


def content_or_fingerprint(path: Path) -> bytes:
    """A file's bytes, or where they cannot be read (no permission, removed meanwhile) its fingerprint: for a
    file that is rejected for its name whatever it holds."""
    try:
        return path.read_bytes()
    except OSError:
        return link_fingerprint(path)


def unreadable_problem(exc: OSError) -> str:
    """The reason of a file that cannot be read: the kind of error, never its text (which quotes the path)."""
    return (
        f"cannot_read: the file cannot be read ({type(exc).__name__}); "
        "it is read again on a later run once it can be"
    )


def file_date_problem(file_name: str, today: date | None = None) -> str | None:
    """The export date in a file name must be a real date within EARLIEST_DATE ... today + FUTURE_YEARS."""
    found = date_in_name(file_name)
    if not found:
        return None
    day = export_date_in_name(file_name)
    if day is None:
        return f"invalid_file_date: {found.group(0)} in the file name is not a date (expected YYYY-MM-DD)"
    latest = latest_plausible_date(today)
    if not EARLIEST_DATE <= day <= latest:
        return (
            f"implausible_file_date: {found.group(0)} in the file name cannot be an export date "
            f"(expected {EARLIEST_DATE.isoformat()} to {latest.isoformat()})"
        )
    return None


def truncation_threshold() -> float:
    """ALUMNI_TRUNCATION_THRESHOLD: a snapshot with fewer rows than this share of the snapshot before it is
    refused (default 0.5; 0 turns the guard off)."""
    text = os.environ.get(TRUNCATION_ENV, "").strip()
    if not text:
        return DEFAULT_TRUNCATION_THRESHOLD
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"{TRUNCATION_ENV} must be a number between 0 and 1, got {text!r}") from exc
    if not 0 <= value <= 1:
        raise ValueError(f"{TRUNCATION_ENV} must be a number between 0 and 1, got {text!r}")
    return value


def truncated_snapshot(
    con: duckdb.DuckDBPyConnection, source: str, exported_at: datetime | None, rows_loaded: int
) -> str | None:
    """A full export with fewer than `threshold` times the rows of the loaded snapshot just before it (by the
    export date stored in the ledger) is refused as `truncated_snapshot`."""
    if source not in SNAPSHOT_SOURCES:
        return None
    threshold = truncation_threshold()
    if not threshold or exported_at is None:
        return None
    previous = con.execute(
        """
        select file_name, rows_loaded from meta.ingested_files
        where source = ? and status = 'loaded' and exported_at < ?
        order by exported_at desc, ingested_at desc
        limit 1
        """,
        [source, exported_at],
    ).fetchone()
    if not previous or rows_loaded >= threshold * previous[1]:
        return None
    return (
        f"truncated_snapshot: {rows_loaded} row(s) where the snapshot before it ({previous[0]}) had "
        f"{previous[1]}; a full export with fewer than {threshold:g} times as many is taken for a broken "
        f"export ({TRUNCATION_ENV}, see README)"
    )


# --------------------------------------------------------------------------------------------- data directory


def restrict_permissions(data_dir) -> None:
    """The databases and the secrets are readable by their owner only (0600; the secrets folder 0700)."""
    for path in (
        data_dir.warehouse,
        data_dir.warehouse.with_name(data_dir.warehouse.name + ".wal"),
        data_dir.analytics,
    ):
        _chmod(path, 0o600)
    if data_dir.secrets.is_dir() and not data_dir.secrets.is_symlink():
        _chmod(data_dir.secrets, 0o700)
        for path in data_dir.secrets.iterdir():
            if path.is_file() and not path.is_symlink():
                _chmod(path, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(os.lstat(path).st_mode) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass


# --------------------------------------------------------------------------------------------- run records


def start_run_record(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """A run is recorded as `started` before its first step; a run still `started` (or `publishing`) when the
    next one starts was killed: it becomes `abandoned`. Returns how many were."""
    abandoned = con.execute(
        "update meta.pipeline_runs set status = 'abandoned' "
        "where status in ('started', 'publishing') and run_id <> ?",
        [run_id],
    ).fetchone()[0]
    con.execute(
        "insert into meta.pipeline_runs (run_id, started_at, status, files_loaded, rows_loaded, "
        "rows_quarantined, files_rejected) select ?, now()::timestamp, 'started', 0, 0, 0, 0 "
        "where not exists (select 1 from meta.pipeline_runs where run_id = ?)",
        [run_id, run_id],
    )
    return int(abandoned)


# --------------------------------------------------------------------------------------------- compaction

COMPACTION_TABLE = "meta.compactions"


def compact_after_erasure(data_dir, before_models: bool = False) -> float | None:
    """After a run that erased someone, the deleted values must not stay readable in warehouse.duckdb's bytes
    (DuckDB does not overwrite freed blocks, STACK.md pitfall 18): copy the database into a new file and
    rename it over the old one. Only when an erasure removed rows that had been written, since the last
    compaction (rows taken out before writing, `privacy.erase_before_writing`, leave nothing to rewrite); the
    record of this compaction is written into the new file, so a crash before the rename leaves it pending.
    Returns the seconds it took, or None when there was nothing to do. No other connection may be open.

    `before_models`: called after an ingest step and between the ingest and dbt, it rewrites only a warehouse in
    which dbt has built nothing yet (a first build). The copy then holds the tables loaded so far alone, not
    also every model (nor, right after the step whose sweep removed written rows, the sources loaded after it),
    and dbt builds from the swept tables only, so the rewrite after publishing finds nothing pending. A
    warehouse with models is left for that rewrite: dbt's incremental models delete erased people's rows
    themselves."""
    import time

    started = time.perf_counter()
    warehouse = data_dir.warehouse
    # as every writer opens it: the row group size (no re-packing at its checkpoint), UTC (compacted_at is
    # compared with the sweep's swept_at) and the memory limit
    con = open_warehouse(warehouse)
    try:
        # The copy need not keep each table's rows in the order they were written: no reader relies on it, and the
        # copy of each table is then written by all of DuckDB's threads, not in one order: about 30 % faster, the
        # file 0.9 % larger (docs/benchmarks.md, thirty-fifth pass).
        con.execute("set preserve_insertion_order = false")
        if not rewrite_due(con, before_models):
            return None
        con.execute("checkpoint")
        catalog = con.execute("select current_database()").fetchone()[0]
        target = warehouse.with_name(warehouse.name + ".compact")
        for leftover in (target, target.with_name(target.name + ".wal")):
            leftover.unlink(missing_ok=True)
        attach_warehouse(con, target, alias="compacted")
        os.chmod(target, 0o600)  # a copy of raw: its owner's only from the start, should the copy fail
        try:
            con.execute(f"copy from database {catalog} to compacted")
            con.execute(
                f"insert into compacted.{COMPACTION_TABLE} values (now()::timestamp, ?)",
                [time.perf_counter() - started],
            )
        finally:
            con.execute("detach compacted")
    finally:
        con.close()
    os.chmod(target, 0o600)
    os.replace(target, warehouse)
    # the old file's log would be replayed into the new one: after a clean close there is none
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    return time.perf_counter() - started


def rewrite_due(con: duckdb.DuckDBPyConnection, before_models: bool = False) -> bool:
    """Whether `compact_after_erasure` has a rewrite to do: an erasure removed written rows since the last one
    (and, `before_models`, dbt has built nothing yet). Asked on the connection at hand: an ingest step asks on
    the run's own before it lets the file go for a rewrite (pipelines/defs/ingest.py)."""
    con.execute(f"create table if not exists {COMPACTION_TABLE} (compacted_at timestamp, seconds double)")
    pending = con.execute(
        f"""
        select count(*) from meta.erasure_log
        where swept_at > coalesce((select max(compacted_at) from {COMPACTION_TABLE}), timestamp '1900-01-01')
          and not coalesce(before_writing, false)
        """
    ).fetchone()[0]
    return bool(pending) and not (before_models and _models_built(con))


def _models_built(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether dbt has built anything (a table or a view) in this warehouse."""
    outside = ", ".join(f"'{schema}'" for schema in INGEST_SCHEMAS)
    return bool(
        con.execute(
            f"""
            select count(*) from (
                select schema_name from duckdb_tables() where database_name = current_database()
                union all
                select schema_name from duckdb_views() where database_name = current_database() and not internal
            ) where schema_name not in ({outside})
            """
        ).fetchone()[0]
    )

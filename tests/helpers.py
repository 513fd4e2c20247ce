"""Small helpers for tests: write export files exactly as a test needs them, ingest without Dagster."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.ingest import connect, ingest_source
from pipelines.ingest.reading import decode, detect_delimiter
from pipelines.ingest.sources import SOURCES
from pipelines.settings import DataDir

TEST_KEY = "test-pseudonym-key-not-secret"


def read_export(path: Path) -> tuple[str, list[list[str]]]:
    """A landing CSV as its delimiter and records, header first, decoded and split as the loader does
    (`reading.decode`, `reading.detect_delimiter`): for tests that change the demo's exports."""
    text, _ = decode(path.read_bytes())
    delimiter = detect_delimiter(text.split("\n", 1)[0].rstrip("\r"), [])
    return delimiter, list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def write_export(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    newline: str = "\n",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def ingest_all(data_dir: DataDir, run_id: str = "run-1") -> dict:
    con = connect(data_dir)
    try:
        return {source.name: ingest_source(con, data_dir, source, run_id) for source in SOURCES}
    finally:
        con.close()


def temp_objects(con) -> tuple[list[str], list[str]]:
    """The temp tables and the temp views (not DuckDB's own) of a connection, by name."""
    tables = con.execute("select table_name from duckdb_tables() where temporary order by 1").fetchall()
    views = con.execute(
        "select view_name from duckdb_views() where temporary and not internal order by 1"
    ).fetchall()
    return [t for (t,) in tables], [v for (v,) in views]


def query(data_dir: DataDir, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(data_dir)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def in_threads(work, count: int = 4) -> list[Exception]:
    """Run `work` in `count` threads at once; the exceptions they raised (none, if all went well)."""
    import threading

    errors: list[Exception] = []

    def guarded():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)

    threads = [threading.Thread(target=guarded) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors

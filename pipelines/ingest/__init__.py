"""Ingestion library: read, validate, quarantine, pseudonymise, erase. No Dagster here (see pipelines/defs)."""

from __future__ import annotations

import os

import duckdb

from pipelines.ingest import guards, privacy
from pipelines.ingest.loader import (
    FileResult,
    ensure_schema,
    file_sha256,
    landing_files,
    load_file,
    record_file,
    unexpected_files,
)
from pipelines.ingest.sources import BY_NAME, Source
from pipelines.settings import DataDir


def connect(data_dir: DataDir, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to warehouse.duckdb with the schema in place and the keyed-hash macro installed."""
    data_dir.root.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(data_dir.warehouse), read_only=read_only)
    con.execute("set timezone = 'UTC'")
    # DuckDB would use up to 80 % of the machine's memory as cache; the warehouse is a file, so it can evict
    con.execute(f"set memory_limit = '{os.environ.get('ALUMNI_DUCKDB_MEMORY_LIMIT', '2GB')}'")
    if not read_only:
        ensure_schema(con)
        guards.restrict_permissions(data_dir)
    privacy.install_hmac(con, privacy.load_key(data_dir.secrets))
    return con


def ingest_source(
    con: duckdb.DuckDBPyConnection, data_dir: DataDir, source: Source, run_id: str
) -> list[FileResult]:
    results = [
        load_file(con, source, path, name, run_id) for path, name in landing_files(data_dir.landing, source)
    ]
    if source.name == "erasure_requests" or any(r.rows_erased for r in results):
        # New requests reach back into everything loaded before; a file that revealed another address of
        # an erased person does too (that address may already sit in another source). One transaction.
        con.begin()
        try:
            privacy.sweep(con, run_id)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return results


def record_unrecognised(con: duckdb.DuckDBPyConnection, data_dir: DataDir, run_id: str) -> list[FileResult]:
    """Files in landing/ that match no source are rejected (once per content), never loaded."""
    results = []
    for rel in unexpected_files(data_dir.landing):
        path = data_dir.landing / rel
        problem = guards.entry_problem(path)
        sha = file_sha256(guards.link_fingerprint(path) if problem else path.read_bytes())
        seen = con.execute(
            "select 1 from meta.ingested_files where sha256 = ? and file_name = ?", [sha, rel]
        ).fetchone()
        if seen:
            continue
        folder = rel.split("/", 1)[0] if "/" in rel else ""
        result = FileResult(
            folder or "unknown",
            rel,
            sha,
            "rejected",
            reason=problem
            or "unexpected_file_name: the file matches no landing source "
            "(expected landing/<source>/<prefix>_YYYY-MM-DD.csv, see CONTRACTS.md §3)",
        )
        record_file(con, run_id, result, os.lstat(path).st_size)
        results.append(result)
    return results


__all__ = ["BY_NAME", "FileResult", "connect", "ingest_source", "record_unrecognised"]

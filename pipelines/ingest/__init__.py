"""Ingestion library: read, validate, quarantine, pseudonymise, erase. No Dagster here (see pipelines/defs)."""

from __future__ import annotations

import os

import duckdb

from pipelines.ingest import guards, privacy, upgrade
from pipelines.ingest.landing import landing_files, tool_files, unexpected_files
from pipelines.ingest.ledger import FileResult, file_sha256, ledger_state, record_file
from pipelines.ingest.loader import load_file
from pipelines.ingest.schema import ensure_schema
from pipelines.ingest.sources import BY_NAME, Source
from pipelines.ingest.tools import read_tool_file
from pipelines.settings import DataDir, open_warehouse


def connect(data_dir: DataDir, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to warehouse.duckdb with the schema in place, the keyed-hash macro installed and, for a
    writer, the rows loaded by an earlier version upgraded (upgrade.py) before anything is loaded the new way."""
    data_dir.root.mkdir(parents=True, exist_ok=True)
    con = open_warehouse(data_dir.warehouse, read_only=read_only)
    if not read_only:
        ensure_schema(con)
        guards.restrict_permissions(data_dir)
    privacy.install_hmac(con, privacy.load_key(data_dir.secrets))
    if not read_only:
        try:
            upgrade.apply(con)
        except BaseException:
            con.close()
            raise
    return con


def ingest_source(
    con: duckdb.DuckDBPyConnection, data_dir: DataDir, source: Source, run_id: str
) -> list[FileResult]:
    results = [
        load_file(con, source, path, name, run_id) for path, name in landing_files(data_dir.landing, source)
    ]
    _sweep_if_needed(con, run_id, source.name == "erasure_requests" or any(r.rows_erased for r in results))
    return results


def ingest_tool(
    con: duckdb.DuckDBPyConnection, data_dir: DataDir, tool: str, run_id: str
) -> list[FileResult]:
    """Every export in landing/<tool>/, each recognised by its header (TOOLS.md) and loaded like a canonical
    file: one transaction, ledger, quarantine, keyed hashes, erasure."""
    folder = Source(name=tool, folder=tool, prefix="", columns=(), tool=tool)

    def opener(raw: bytes, path):
        found = read_tool_file(tool, path, raw)
        return found.source, found.export

    results = [
        load_file(con, folder, path, name, run_id, opener)
        for path, name in tool_files(data_dir.landing, tool)
    ]
    _sweep_if_needed(con, run_id, any(r.rows_erased for r in results))
    return results


def _sweep_if_needed(con: duckdb.DuckDBPyConnection, run_id: str, needed: bool) -> None:
    if needed:
        # New requests reach back into everything loaded before; a file that revealed another address of
        # an erased person does too (that address may already sit in another source). One transaction.
        con.begin()
        try:
            privacy.sweep(con, run_id)
            con.commit()
        except BaseException:
            con.rollback()
            raise


def record_unrecognised(con: duckdb.DuckDBPyConnection, data_dir: DataDir, run_id: str) -> list[FileResult]:
    """Files in landing/ that match no source are rejected (once per content), never loaded."""
    results = []
    for rel in unexpected_files(data_dir.landing):
        path = data_dir.landing / rel
        problem = guards.entry_problem(path)
        sha = file_sha256(guards.link_fingerprint(path) if problem else guards.content_or_fingerprint(path))
        if ledger_state(con, rel, sha) == "seen":
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


__all__ = ["BY_NAME", "FileResult", "connect", "ingest_source", "ingest_tool", "record_unrecognised"]

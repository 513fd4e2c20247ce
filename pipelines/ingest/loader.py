"""Loading one landing file into warehouse.duckdb, in one transaction: rows, quarantine, erasure, ledger.

For every file: rows_read = rows_loaded + rows_quarantined, and the ledger row commits together with the rows,
so a crash leaves no half file and the next run loads it again. The same bytes load once, under any name.
The steps live in their own modules: which files (landing.py), whether a file is new (ledger.py), its records
staged (a temp table and the view `incoming` over it) and through the row rules (staging.py, rules.py), the
tables (schema.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.ingest import guards, gx_process, quality
from pipelines.ingest.landing import export_time
from pipelines.ingest.ledger import (
    FileResult,
    file_sha256,
    known_unchanged,
    ledger_state,
    record_file,
    remember_stat,
)
from pipelines.ingest.reading import Export, FileRejected, is_empty, normalise_header, open_export
from pipelines.ingest.sources import Source
from pipelines.ingest.staging import drop_temps, load_staged, stage_records
from pipelines.ingest.tables import TableExport, is_workbook, read_workbook

Opener = Callable[[bytes, Path], tuple[Source, "Export | TableExport"]]


def open_canonical(source: Source) -> Opener:
    """How a canonical file is opened: a CSV export, or the first sheet of an `.xlsx` workbook (TOOLS.md §7)."""

    def _open(raw: bytes, path: Path) -> tuple[Source, Export | TableExport]:
        if path.suffix.lower() == ".xlsx" or is_workbook(raw):
            export = read_workbook(raw)
            by_name = {normalise_header(h) for h in export.header}
            missing = [h for h in source.required_headers if normalise_header(h) not in by_name]
            if missing:
                raise FileRejected(
                    "missing_required_header", f"required column(s) {', '.join(missing)} not in the header"
                )
            return source, export.select(source.headers)
        return source, open_export(raw, source.headers, source.required_headers)

    return _open


def load_file(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    path: Path,
    file_name: str,
    run_id: str,
    opener: Opener | None = None,
) -> FileResult:
    """Load one landing file in one transaction (rows, quarantine, erasure, ledger). `source` names the
    ledger's source for a file that cannot be opened; `opener` reads the file and says which source (kind)
    it is (default: the canonical `source`)."""
    opener = opener or open_canonical(source)
    refused = _refuse_entry(con, source, path, file_name, run_id)
    if refused is not None:
        return refused
    try:
        stat = path.stat()
        known = known_unchanged(con, file_name, stat)
        if known:
            return FileResult(source.name, file_name, known, "skipped")
        raw = path.read_bytes()
    except OSError as exc:  # not this file, nor this run: rejected until it can be read
        return _refuse_unreadable(con, source, path, file_name, run_id, exc)
    sha = file_sha256(raw)

    def record(result: FileResult, encoding: str = "", delimiter: str = "") -> None:
        # the ledger row, and the file's size and time, so that the next run need not read it to know it
        # (inside the file's transaction where it has one: a commit of its own costs a write to disk)
        record_file(con, run_id, result, len(raw), encoding, delimiter)
        remember_stat(con, file_name, stat, sha)

    state = ledger_state(con, file_name, sha, source.name, tool=source.tool != "canonical")
    if state == "seen":
        remember_stat(con, file_name, stat, sha)
        return FileResult(source.name, file_name, sha, "skipped")
    # a file to load: its run will check what it loaded, so Great Expectations is imported beside it from now
    gx_process.start()
    if is_empty(raw):  # every empty file has the same bytes: empty, not a duplicate of another empty one
        state = None
    exported_at = export_time(path)
    if state == "duplicate":
        result = FileResult(
            source.name,
            file_name,
            sha,
            "duplicate",
            reason="the same content was already loaded under another file name",
            tool=source.tool,
            exported_at=exported_at,
        )
        record(result)
        return result
    named = source  # a file that cannot be read is reported under the source (folder) it was found in
    try:
        source, parsed = opener(raw, path)
        # records into a temp table first, outside the file's transaction: a failed attempt of the fast path must
        # not abort it (temp tables belong to this connection; the run's steps share it, pipelines/resources.py,
        # so what a file stages is dropped after its load, or below where the file is refused)
        parsed = stage_records(con, source, parsed, path, raw, stat)
    except FileRejected as exc:  # unreadable (a tool's export may only show it when its records are read)
        drop_temps(con, named)
        result = FileResult(
            named.name, file_name, sha, "rejected", reason=f"{exc.reason}: {exc.message}", tool=named.tool,
            exported_at=exported_at,
        )  # fmt: skip
        record(result)
        return result
    con.begin()
    try:
        result = load_staged(con, source, parsed, file_name, sha, run_id, exported_at)
        result.tool, result.kind, result.language = source.tool, source.ledger_kind, source.language
        result.exported_at = exported_at
        refusal = _refuse_loaded(con, source, sha, result)
        if refusal is None:
            record(result, parsed.encoding, parsed.delimiter)
            con.commit()
    except BaseException:
        con.rollback()
        raise
    if refusal is not None:  # nothing of the file stays: its rows, quarantine and sweep roll back
        con.rollback()
        drop_temps(con, source)
        result = FileResult(
            source.name, file_name, sha, "rejected", reason=refusal, tool=source.tool, exported_at=exported_at
        )
        record(result, parsed.encoding, parsed.delimiter)
    return result


def _refuse_entry(con, source: Source, path: Path, file_name: str, run_id: str) -> FileResult | None:
    """A landing entry that is not a regular file, or whose name carries a date that cannot be right, is
    rejected before anything of it is read (once: the ledger remembers it by name and fingerprint)."""
    try:
        problem = guards.entry_problem(path)
    except OSError as exc:  # removed since it was listed
        return _refuse_unreadable(con, source, path, file_name, run_id, exc)
    if problem is not None:
        return _refuse_unread(con, source, path, file_name, run_id, problem)
    problem = guards.file_date_problem(file_name)
    if problem is None:
        return None
    return _refuse_unread(con, source, path, file_name, run_id, problem, guards.content_or_fingerprint(path))


def _refuse_unreadable(
    con, source: Source, path: Path, file_name: str, run_id: str, exc: OSError
) -> FileResult:
    """A file that cannot be read (no permission, removed since it was listed): rejected once, known by a
    fingerprint of its own (a pipe of the same name has another), and read once it can be."""
    fingerprint = b"cannot_read\0" + guards.link_fingerprint(path)
    return _refuse_unread(con, source, path, file_name, run_id, guards.unreadable_problem(exc), fingerprint)


def _refuse_unread(
    con, source: Source, path: Path, file_name: str, run_id: str, problem: str, content: bytes | None = None
) -> FileResult:
    """Reject a landing entry without loading it, once: the ledger knows it by name and its content, or where
    that is not read, its fingerprint (`guards.link_fingerprint`)."""
    sha = file_sha256(guards.link_fingerprint(path) if content is None else content)
    if ledger_state(con, file_name, sha) == "seen":
        return FileResult(source.name, file_name, sha, "skipped")
    result = FileResult(source.name, file_name, sha, "rejected", reason=problem, tool=source.tool)
    try:
        size = os.lstat(path).st_size
    except OSError:  # removed while the run read it
        size = 0
    record_file(con, run_id, result, size)
    return result


def _refuse_loaded(con, source: Source, sha: str, result: FileResult) -> str | None:
    """Inside the file's transaction, after its rows are in: a truncated snapshot, or rows that fail a
    blocking (error-severity) expectation, refuse the file as a whole."""
    problem = guards.truncated_snapshot(con, source.name, result.exported_at, result.rows_loaded)
    if problem:
        return problem
    failed = quality.failed_blocking_expectations(con, source.name, sha)
    if failed:
        return "failed_expectation: " + "; ".join(failed)
    return None

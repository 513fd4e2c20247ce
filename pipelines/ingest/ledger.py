"""The file ledger (meta.ingested_files): what became of every landing file, and whether a file is new.

A file is known by its sha256: the same bytes load once, under any name (a second name is a `duplicate`).
meta.landing_file_stats remembers size and modification time of each file when it was last hashed, so an
unchanged file the ledger already has is skipped without reading it again (gigabytes of exports every run).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime

import duckdb


@dataclass
class FileResult:
    source: str
    file_name: str
    sha256: str
    status: str  # loaded, duplicate, rejected, skipped (already in the ledger)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_erased: int = 0
    reason: str = ""
    problems: list[str] = field(default_factory=list)  # human messages, first few bad rows
    # column -> rows kept with the value emptied
    kept_with_issue: dict[str, int] = field(default_factory=dict)
    tool: str = "canonical"
    kind: str = ""
    language: str = ""
    exported_at: datetime | None = None


def file_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# Rejections of a file for its name or place: the same bytes under a name that is right (the remedy the reason
# names) are read, not refused as a duplicate of what was never read.
NAME_REASONS = ("unexpected_file_name", "invalid_file_date", "implausible_file_date")


def ledger_state(
    con: duckdb.DuckDBPyConnection, file_name: str, sha: str, source: str = "", tool: bool = False
) -> str | None:
    """'seen' if this exact file was handled before, 'duplicate' if the same bytes came under another name:
    loaded with rows, or rejected for their content as the same `source`, or in the same folder of a `tool`
    (whose kind, and the ledger's source, a file's header decides). A file moved out of the wrong folder is read
    as its new folder's; one renamed after a rejection for its name is read at all.

    An export with a header and no rows is not a duplicate of another empty export: both are simply empty.
    """
    seen = con.execute(
        "select 1 from meta.ingested_files where sha256 = ? and file_name = ?", [sha, file_name]
    ).fetchone()
    if seen:
        return "seen"
    folder = file_name.split("/", 1)[0] if tool else None
    duplicate = con.execute(
        "select 1 from meta.ingested_files where sha256 = ? and (rows_read > 0 or (status = 'rejected' "
        "and (source = ? or split_part(file_name, '/', 1) = ?) "
        "and split_part(reason, ':', 1) not in (select unnest(?::varchar[]))))",
        [sha, source, folder, list(NAME_REASONS)],
    ).fetchone()
    return "duplicate" if duplicate else None


def record_file(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    result: FileResult,
    size: int,
    encoding: str = "",
    delimiter: str = "",
) -> None:
    values = {
        "run_id": run_id,
        "source": result.source,
        "file_name": result.file_name,
        "sha256": result.sha256,
        "size_bytes": size,
        "encoding": encoding,
        "delimiter": delimiter,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rows_erased": result.rows_erased,
        "status": result.status,
        "reason": result.reason,
        "tool": result.tool,
        "kind": result.kind,
        "language": result.language,
        "exported_at": result.exported_at,
    }
    con.execute(
        f"insert into meta.ingested_files ({', '.join(values)}, ingested_at) "
        f"values ({', '.join('?' for _ in values)}, now())",
        list(values.values()),
    )


def known_unchanged(con: duckdb.DuckDBPyConnection, file_name: str, stat: os.stat_result) -> str | None:
    """The sha256 of a file handled before whose size and modification time have not changed since, else None."""
    known = con.execute(
        "select sha256 from meta.landing_file_stats where file_name = ? and size_bytes = ? and mtime_ns = ?",
        [file_name, stat.st_size, stat.st_mtime_ns],
    ).fetchone()
    if known and ledger_state(con, file_name, known[0]) == "seen":
        return known[0]
    return None


def remember_stat(con: duckdb.DuckDBPyConnection, file_name: str, stat: os.stat_result, sha: str) -> None:
    con.execute(
        "insert or replace into meta.landing_file_stats values (?, ?, ?, ?)",
        [file_name, stat.st_size, stat.st_mtime_ns, sha],
    )

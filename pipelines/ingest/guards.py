"""Guards against the operator's everyday mistakes (issue 11), before and after a file's rows load.

Before: a landing entry that is not a regular file (a symbolic link, a pipe) is never read, and a file name
whose date cannot be right is refused. After (inside the file's transaction, so a refused file leaves nothing):
a snapshot with far fewer rows than the one before it is refused as truncated.
A reason names what is wrong and never quotes the file's content.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path

import duckdb

# Dates a value or a file name may carry: older ones are typos (0001-01-01), later ones placeholders (9999-12-31).
EARLIEST_DATE = date(1900, 1, 1)
FUTURE_YEARS = 2
# Sources delivered as full exports: a snapshot far smaller than the one before it is a truncated export.
SNAPSHOT_SOURCES = ("members", "clubs")
TRUNCATION_ENV = "ALUMNI_TRUNCATION_THRESHOLD"
DEFAULT_TRUNCATION_THRESHOLD = 0.5
FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


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
    target = os.readlink(path) if path.is_symlink() else ""
    return f"{path.name}\0{target}".encode()


def file_date_problem(file_name: str, today: date | None = None) -> str | None:
    """The export date in a file name must be a real date within EARLIEST_DATE ... today + FUTURE_YEARS."""
    found = FILE_DATE.search(Path(file_name).name)
    if not found:
        return None
    try:
        day = date(*(int(part) for part in found.groups()))
    except ValueError:
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
    con: duckdb.DuckDBPyConnection, source: str, file_name: str, rows_loaded: int
) -> str | None:
    """A full export with fewer than `threshold` times the rows of the loaded snapshot just before it (by the
    file name's date) is refused as `truncated_snapshot`."""
    if source not in SNAPSHOT_SOURCES:
        return None
    threshold = truncation_threshold()
    found = FILE_DATE.search(Path(file_name).name)
    if not threshold or not found:
        return None
    previous = con.execute(
        """
        select file_name, rows_loaded from meta.ingested_files
        where source = ? and status = 'loaded'
          and regexp_extract(file_name, '(\\d{4}-\\d{2}-\\d{2})', 1) < ?
        order by regexp_extract(file_name, '(\\d{4}-\\d{2}-\\d{2})', 1) desc, ingested_at desc
        limit 1
        """,
        [source, found.group(0)],
    ).fetchone()
    if not previous or rows_loaded >= threshold * previous[1]:
        return None
    return (
        f"truncated_snapshot: {rows_loaded} row(s) where the snapshot before it ({previous[0]}) had "
        f"{previous[1]}; a full export with fewer than {threshold:g} times as many is taken for a broken "
        f"export ({TRUNCATION_ENV}, see README)"
    )

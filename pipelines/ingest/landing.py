"""Landing discovery: the export date a file's name carries, parsed here and nowhere else.

TOOLS.md §1 and CONTRACTS.md §3: the `YYYY-MM-DD` in a file's name is its export date, with a `_HH-MM-SS` or
`THH-MM-SS` right after it where a tool writes one. The loader stores the result as `_exported_at` on every
raw row and `exported_at` in the ledger; everything downstream (snapshot dates in dbt, the truncation guard)
reads the stored column, never the name again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK = re.compile(r"[_T](\d{2})-(\d{2})-(\d{2})")


def date_in_name(file_name: str) -> re.Match[str] | None:
    """The first `YYYY-MM-DD` in the file's own name (not its folder), as written: it may be no real date."""
    return FILE_DATE.search(Path(file_name).name)


def export_date_in_name(file_name: str) -> date | None:
    """The export date of the name, or None where it has none or the digits are no date (2024-13-45)."""
    found = date_in_name(file_name)
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def export_time_in_name(file_name: str) -> datetime | None:
    """The export date of the name with the time written right after it, if any (naive UTC); None where the
    name has no date or the date or time is not a real one."""
    found = date_in_name(file_name)
    if not found:
        return None
    clock = _CLOCK.match(Path(file_name).name[found.end() :])
    try:
        return datetime(
            *(int(p) for p in found.groups()), *(int(p) for p in (clock.groups() if clock else ()))
        )
    except ValueError:
        return None  # not a date: such a file is refused (invalid_file_date) before it is read


def export_time(path: Path) -> datetime:
    """The export time of a landing file: from its name, else the file's modification time (naive UTC, like
    every timestamp here)."""
    return export_time_in_name(path.name) or datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(
        tzinfo=None
    )

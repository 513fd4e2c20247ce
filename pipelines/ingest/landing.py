"""Landing discovery: which files of landing/ belong to which source, in what order they load, which belong to
none; and the export date a file's name carries, parsed here and nowhere else.

TOOLS.md §1 and CONTRACTS.md §3: the `YYYY-MM-DD` in a file's name is its export date, with a `_HH-MM-SS` or
`THH-MM-SS` right after it where a tool writes one. The loader stores the result as `_exported_at` on every
raw row and `exported_at` in the ledger; everything downstream (snapshot dates in dbt, the truncation guard)
reads the stored column, never the name again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.ingest.sources import SOURCES, Source
from pipelines.ingest.tools import TOOLS

FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK = re.compile(r"[_T](\d{2})-(\d{2})-(\d{2})")


def date_in_name(file_name: str) -> re.Match[str] | None:
    """The last `YYYY-MM-DD` in the file's own name (not its folder), as written: it may be no real date. The
    last: a tool writes its time stamp after what the office named (a pretix event `sommerfest-2024-06-15`
    downloaded as `sommerfest-2024-06-15_orders_2024-06-20.csv` was exported on the 20th)."""
    found = list(FILE_DATE.finditer(Path(file_name).name))
    return found[-1] if found else None


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
    # lstat: a symbolic link's own time (it is rejected, never followed; a dangling one has no target)
    return export_time_in_name(path.name) or datetime.fromtimestamp(path.lstat().st_mtime, UTC).replace(
        tzinfo=None
    )


# --------------------------------------------------------------------------------------------- discovery


def landing_files(landing: Path, source: Source) -> list[tuple[Path, str]]:
    """The source's files in landing/<folder>/, oldest export date first (then by name)."""
    folder = landing / source.folder
    # a linked folder is not read (unexpected_files reports it)
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        # symbolic links and other entries that are no regular file (a pipe) are listed (and rejected by
        # load_file), never followed or read
        if not (path.is_dir() and not path.is_symlink()) and source.pattern.match(path.name):
            found.append((date_in_name(path.name).group(0), path.name, path))
    return [(path, f"{source.folder}/{name}") for _, name, path in sorted(found)]


def tool_files(landing: Path, tool: str) -> list[tuple[Path, str]]:
    """Every file in landing/<tool>/ (the tools choose the names), registrations before check-ins, then by
    export time and name. Hidden files are ignored."""
    folder = landing / tool
    # a linked folder is not read (unexpected_files reports it), as for the canonical sources
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        # symbolic links and pipes are listed (and rejected by load_file), never followed, as for the canonical
        # sources
        if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue
        try:
            found.append((_kind_order(path), export_time(path), path.name, path))
        except OSError:  # removed since the folder was listed: not there
            continue
    return [(path, f"{tool}/{name}") for _, _, name, path in sorted(found)]


def _kind_order(path: Path) -> int:
    """Check-in lists and logs refer to the registrations of order exports: load those first. Read from the
    header line alone (a workbook is an order export: pretix writes check-in exports as CSV here). A symbolic
    link is not opened: it is rejected unread."""
    if path.is_symlink() or not path.is_file():  # a pipe would block the read
        return 0
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).split(b"\n", 1)[0].lower()
    except OSError:  # rejected when it is loaded (`cannot_read`)
        return 0
    if b"scan type" in head or b"scan-typ" in head:
        return 1
    if b"checked in" in head or b"eingecheckt" in head:
        return 2
    return 0


def unexpected_files(landing: Path) -> list[str]:
    """Files in landing/ that belong to no source: reported, never loaded. The tools' folders take any name
    (their files are recognised by their header, see `tools.py`)."""
    known = {s.folder for s in SOURCES}
    out = []
    if not landing.is_dir():
        return out
    for path in sorted(landing.rglob("*")):
        if (path.is_dir() and not path.is_symlink()) or path.name.startswith("."):
            continue
        rel = path.relative_to(landing)
        folder = rel.parts[0] if len(rel.parts) > 1 else ""
        if folder in TOOLS and len(rel.parts) == 2:
            continue
        if folder not in known or not any(s.folder == folder and s.pattern.match(path.name) for s in SOURCES):
            out.append(rel.as_posix())
    return out

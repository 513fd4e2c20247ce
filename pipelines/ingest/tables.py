"""Exports that are read whole in Python before they reach DuckDB: `.xlsx` workbooks and the tools' files.

A `TableExport` offers what the loader needs of a CSV `Export` (`reading.py`): header, column positions,
records in batches with their line numbers, and the malformed ones set aside. Workbooks are read by
python-calamine (a maintained reader of Excel files, STACK.md 16), never by a hand-written parser.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from pipelines.ingest.reading import FileRejected, header_positions, normalise_header


@dataclass
class TableExport:
    """Records as lists of text, each with its physical line (or sheet row), under one header. The loader stages
    them as their fields (staging.py) and maps the fields to the source's columns in SQL, where `derived` adds
    the columns a tool's export does not hold as such (tools.py). A CSV export may come with its records not
    yet read (`read_later`): DuckDB's reader then takes the file where it gives the csv module's records."""

    encoding: str
    delimiter: str
    header: list[str]
    records: list[tuple[int, list[str]]]
    malformed: list[tuple[int, str, list[str]]] = field(default_factory=list)
    positions: dict[str, int | None] = field(default_factory=dict)
    # a malformed record's values by the contract's header, where its fields follow another header than
    # `header` (a Zoom report's section has a header of its own): line -> {contract header: value}
    malformed_columns: dict[int, dict[str, str]] = field(default_factory=dict)
    # values taken from the file's name (a pretix export's event slug): a quarantine message does not quote them
    # where the name is not of a pattern the tool gives (filenames.py), as such a name may be a person's
    name_values: tuple[str, ...] = ()
    derived: dict[str, str] = field(default_factory=dict)  # column -> SQL over the fields c0, c1, ...
    read_later: Callable[[], TableExport] | None = None
    good_rows: int | None = None  # records staged by DuckDB's reader (then `records` stays empty)

    @property
    def rows_read(self) -> int:
        good = len(self.records) if self.good_rows is None else self.good_rows
        return good + len(self.malformed)

    def select(self, expected: list[str]) -> TableExport:
        """Map the contract's headers (trimmed, case-insensitive) to positions in this header."""
        self.positions = header_positions(self.header, expected)
        return self

    def read(self) -> TableExport:
        """The records of a CSV export that were left for later, read now by the csv module."""
        if self.read_later is not None:
            done = self.read_later()
            self.records, self.malformed, self.read_later = (
                done.records,
                self.malformed + done.malformed,
                None,
            )
        return self


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold (TOOLS.md §8): integral numbers without `.0`,
    other numbers with `.` as decimal point, dates as ISO dates, date-times as ISO date-times."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    return str(value)


def is_workbook(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read_workbook(raw: bytes, sheets: tuple[str, ...] = ()) -> TableExport:
    """The first sheet (or the first of `sheets` that exists) of an `.xlsx` file. Line numbers are sheet rows;
    leading empty rows are skipped, and the first non-empty row is the header."""
    from python_calamine import CalamineWorkbook

    # calamine raises its own error types for every kind of broken workbook, some only when a sheet is read (a
    # sheet's XML cut off: the workbook opens, its rows do not)
    unreadable = FileRejected("unreadable_workbook", "the file is not a readable .xlsx workbook")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:
        raise unreadable from exc
    names = book.sheet_names
    if not names:
        raise FileRejected("empty_file", "the workbook has no sheet")
    wanted = {normalise_header(s) for s in sheets}
    name = next((n for n in names if normalise_header(n) in wanted), names[0])
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise unreadable from exc
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        values = [cell_text(v) for v in row]
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = values
            continue
        records.append((number, values))
    if header is None:
        raise FileRejected("empty_file", "the workbook's first sheet is empty (no header, no rows)")
    while header and not header[-1].strip():
        header.pop()
    return TableExport("xlsx", "", header, records)

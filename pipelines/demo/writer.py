"""CSV export files as the office's tools write them: encoding, delimiter, line endings, and line numbers.

Every writer counts physical lines, so the generator can say exactly where it put a broken row.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

_ASCII_FALLBACK = {"ı": "i", "ş": "s", "Ş": "S", "ğ": "g", "İ": "I", "ł": "l", "Ł": "L", "ă": "a", "ễ": "e"}


def _cp1252_fallback(error: UnicodeEncodeError) -> tuple[str, int]:
    """The old Windows portal could not store every letter; it stored the nearest Latin one instead."""
    bad = error.object[error.start : error.end]
    out = []
    for char in bad:
        if char in _ASCII_FALLBACK:
            out.append(_ASCII_FALLBACK[char])
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?"
            out.append(base)
    return "".join(out), error.end


codecs.register_error("alumni_cp1252_fallback", _cp1252_fallback)


@dataclass
class ExportStyle:
    """How one export tool writes its files."""

    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    delimiter: str = ";"
    newline: str = "\n"  # "\r\n" for Windows tools
    datetime_format: str = (
        "de"  # "de" DD.MM.YYYY HH:MM:SS, "iso" YYYY-MM-DDTHH:MM:SS, "iso_offset" with +01:00
    )
    date_format: str = "de"  # "de" DD.MM.YYYY or "iso" YYYY-MM-DD


@dataclass
class CsvExport:
    path: Path
    header: list[str]
    style: ExportStyle
    lines: int = 0  # physical lines written so far (the header is line 1)
    rows: int = 0  # data records written
    _chunks: list[str] = field(default_factory=list)
    _handle: object = None

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        errors = "alumni_cp1252_fallback" if self.style.encoding == "cp1252" else "strict"
        self._handle = self.path.open("w", encoding=self.style.encoding, errors=errors, newline="")
        self._write_record(self.header)

    def _format(self, values: list[str]) -> str:
        delim = self.style.delimiter
        out = []
        for value in values:
            if delim in value or '"' in value or "\n" in value or "\r" in value:
                value = '"' + value.replace('"', '""') + '"'
            out.append(value)
        return delim.join(out)

    def _write_record(self, values: list[str]) -> int:
        text = self._format(values)
        line = self.lines + 1
        self.lines += 1 + text.count("\n")
        self._chunks.append(text.replace("\n", self.style.newline) + self.style.newline)
        if len(self._chunks) >= 4096:
            self.flush()
        return line

    def write(self, values: list[str]) -> int:
        """Write one record; return the line it starts on."""
        self.rows += 1
        return self._write_record(values)

    def write_raw(self, text: str) -> int:
        """Write a physical line as is (for deliberately broken records); return its line number."""
        self.rows += 1
        line = self.lines + 1
        self.lines += 1
        self._chunks.append(text + self.style.newline)
        return line

    def write_plain_many(self, records: list[str]) -> None:
        """Fast path for records already joined with the delimiter and free of quotes and newlines."""
        self.rows += len(records)
        self.lines += len(records)
        nl = self.style.newline
        self._chunks.append(nl.join(records) + nl)
        self.flush()  # a campaign's rows at once: large enough to write, small enough to keep memory flat

    def flush(self) -> None:
        self._handle.write("".join(self._chunks))
        self._chunks.clear()

    def close(self) -> None:
        self.flush()
        self._handle.close()


class XlsxExport:
    """A catalogue kept in Excel: the first sheet, the same headers as the CSV, typed date cells.

    The same interface as `CsvExport` (`write` returns the sheet row, `lines` counts rows with the header), so the
    generator can put a catalogue into a workbook instead of a CSV file. Bytes are deterministic: the workbook's
    creation time is fixed to the export date (XlsxWriter then also uses it for the zip entries).
    """

    def __init__(self, path: Path, header: list[str], created: datetime, sheet: str = "Veranstaltungen"):
        import xlsxwriter  # only the demo writes workbooks; the pipeline reads them with its own reader

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.header = header
        self.style = ExportStyle(encoding="xlsx", delimiter="", newline="")
        self.rows = 0
        self.lines = 0
        self._book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
        self._book.set_properties({"created": created, "author": "Alumni-Büro"})
        self._sheet = self._book.add_worksheet(sheet)
        self._datetime = self._book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        self._write_record(header)

    def _write_record(self, values: list) -> int:
        row = self.lines
        for col, value in enumerate(values):
            if isinstance(value, datetime):
                self._sheet.write_datetime(row, col, value, self._datetime)
            elif isinstance(value, int | float):
                self._sheet.write_number(row, col, value)
            elif value is None or value == "":
                continue
            else:
                self._sheet.write_string(row, col, str(value))
        self.lines += 1
        return self.lines

    def write(self, values: list) -> int:
        """Write one row (strings, numbers, datetimes); return its sheet row number (1 = the header)."""
        self.rows += 1
        return self._write_record(values)

    def close(self) -> None:
        self._book.close()

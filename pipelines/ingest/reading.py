"""Reading an export as the office really has it: any of three encodings, `;` or `,`, CRLF, headers by name.

The reader only splits text into fields and remembers where each record starts; typing and row rules happen
in DuckDB (`rules.py`, `staging.py`), column-wise, which is what keeps millions of rows fast.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# A free-text note may be long; a megabyte-sized field is still read (and never published).
csv.field_size_limit(64 * 1024 * 1024)


class FileRejected(Exception):
    """The file cannot be read at all: nothing of it loads, and the reason goes to the ledger."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class ParsedFile:
    encoding: str
    delimiter: str
    header: list[str]
    columns: dict[str, list[str]]  # canonical column name -> values, one per good record
    lines: list[int]  # the physical line each good record starts on
    malformed: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (line, message, raw fields)

    @property
    def rows_read(self) -> int:
        return len(self.lines) + len(self.malformed)


# Messages of malformed records that have a reason code of their own (see `malformed_reason`).
NUL_MESSAGE = "the record contains a NUL byte (binary data inside a text export)"
UNBALANCED_QUOTE = "unbalanced quote"


def field_count_message(width: int, delimiter: str, found: int) -> str:
    """What a record that does not split into the header's fields is told (by the csv module's reading, by
    DuckDB's, staging.py, and by a tool export's, tools.py)."""
    return f"expected {width} fields separated by {delimiter!r}, found {found}"


def malformed_reason(message: str) -> str:
    """The quarantine reason code of a malformed record, from the message the reader gave it."""
    if message == NUL_MESSAGE:
        return "nul_byte"
    if message.startswith(UNBALANCED_QUOTE):
        return "unbalanced_quote"
    return "malformed_row"


# a byte that is neither a byte-order mark's nor white space (in UTF-8 or UTF-16)
_NOT_BLANK = re.compile(rb"[^\xef\xbb\xbf\xff\xfe \r\n\t\x00]")


def is_empty(raw: bytes) -> bool:
    """No header, no rows: nothing but byte-order marks and white space (in UTF-8 or UTF-16). Searched for, not
    stripped: a strip copies the file (63 ms for 100 MB, twice for every file loaded), the search stops at its
    first byte."""
    return _NOT_BLANK.search(raw) is None


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes beyond a stray one or two, together with other control characters: not a text export.
    A single NUL in a text export only quarantines its record (see `Export.chunks`)."""
    if b"\x00" not in sample:
        return False
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return control > max(2, len(sample) // 1000)


# A character of more than one byte as UTF-8 writes it: in Windows-1252 text such pairs are rare letter pairs
# (`Ã¼`), so one of them marks a file as UTF-8 at heart.
UTF8_CHARACTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode_lines(raw: bytes) -> tuple[str, int, int]:
    """Each line as UTF-8 where it is, else as Windows-1252; and how many lines with other than ASCII were UTF-8,
    how many were not."""
    lines, utf8, other = [], 0, 0
    for line in raw.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            other += 1
    return "\n".join(lines), utf8, other


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) if it decodes, UTF-16 with a BOM (Excel's "Unicode text"), else
    Windows-1252; binary content is refused."""
    if is_empty(raw):
        raise FileRejected("empty_file", "the file is empty (no header, no rows)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "unknown_encoding", f"the file starts as UTF-16 but is not: {exc.reason}"
            ) from exc
    sample = raw[:65536]
    if _looks_binary(sample):
        raise FileRejected("not_text", "the file is not a text CSV export (it contains binary data)")
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        return (raw[3:] if bom else raw).decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    text, encoding = None, "cp1252"
    if bom or UTF8_CHARACTER.search(raw):
        # UTF-8 text with lines that are not (rows appended in Excel, which writes Windows-1252): each line read
        # as what it is, rather than the whole file as Windows-1252 (`MÃ¼nchen` in every UTF-8 line, and a header
        # `FakultÃ¤t` that matches no column). Where most lines with more than ASCII are not UTF-8, the file is
        # Windows-1252 with a letter pair that looks like UTF-8 (`Ã¼`), and is read so.
        mixed, utf8, other = _decode_lines(raw[3:] if bom else raw)
        if bom or utf8 >= other:
            text, encoding = mixed, "utf-8+cp1252"
    if text is None:
        text = raw.decode("cp1252", errors="replace")
    # cp1252 leaves five byte values undefined; many of them, or many control characters, mean "not text".
    suspicious = text.count("\ufffd") + sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if suspicious > max(5, len(text[:65536]) // 200):
        raise FileRejected("unknown_encoding", "the file is neither UTF-8 nor Windows-1252 text")
    return text, encoding


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def header_positions(header: list[str], expected: list[str]) -> dict[str, int | None]:
    """Where each expected column is in a file's header (trimmed, case-insensitive; the first of equal names)."""
    by_name = {normalise_header(name): i for i, name in reversed(list(enumerate(header)))}
    return {name: by_name.get(normalise_header(name)) for name in expected}


# White space as Python's str.strip() knows it (str.isspace), by code point ranges; as an RE2 class: SQL that stands
# in for a strip in Python must strip exactly these characters (DuckDB's trim() strips spaces only).
PY_SPACE_RANGES = ((0x09, 0x0D), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
                   (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000))  # fmt: skip


def class_ranges(ranges: tuple[tuple[int, int], ...], sql: bool) -> str:
    """The inside of a regular expression's character class of the code point ranges: for RE2 (DuckDB's)
    or for Python's re."""

    def char(c: int) -> str:
        return f"\\x{{{c:x}}}" if sql else f"\\U{c:08x}"

    return "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges)


PY_SPACE = f"[{class_ranges(PY_SPACE_RANGES, sql=True)}]"


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_strip(expression: str) -> str:
    """SQL for Python's `value.strip()` of a text expression."""
    return f"regexp_replace({expression}, '^{PY_SPACE}+|{PY_SPACE}+$', '', 'g')"


@functools.lru_cache(maxsize=64)
def _normalised_names(names: tuple[str, ...]) -> frozenset[str]:
    """The names as headers are compared (a tool's known column names, thousands of them in all its kinds and
    languages, were normalised again for every file: about 15 ms each)."""
    return frozenset(normalise_header(name) for name in names)


def detect_delimiter(header_line: str, expected: list[str], candidates: tuple[str, ...] = (";", ",")) -> str:
    """The delimiter that splits the header into the most known column names (ties: the canonical `;`)."""
    wanted = _normalised_names(tuple(expected))
    best, best_score = ";", -1
    for delimiter in candidates:
        # as a file is read: a bare carriage return ends the line (a list item would make the reader fail)
        names = next(csv.reader(io.StringIO(header_line, newline=""), delimiter=delimiter), [])
        score = sum(normalise_header(n) in wanted for n in names) * 10 + (len(names) > 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best


CHUNK_ROWS = 100_000  # records per batch into DuckDB: bounds memory for exports of millions of rows


@dataclass
class Export:
    """An export whose header has been checked; its records come in batches from `chunks()`."""

    encoding: str
    delimiter: str
    header: list[str]
    text: str  # the whole file, decoded (the header included)
    positions: dict[str, int | None]
    start_line: int
    malformed: list[tuple[int, str, list[str]]] = field(default_factory=list)
    good_rows: int = 0

    @property
    def rows_read(self) -> int:
        return self.good_rows + len(self.malformed)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[tuple[dict[str, list[str]], list[int]]]:
        """Batches of (canonical column -> values, start line of each record); malformed records are set
        aside in `self.malformed` with their line and the reason."""
        width, delimiter = len(self.header), self.delimiter
        # the csv module's reader is made only here: DuckDB's reader takes most files without it, and its copy
        # of the text costs about 80 ms per 30 MB (docs/benchmarks.md, issue 13, seventeenth pass)
        reader = _reader(self.text, delimiter)
        next(reader)  # the header, as `open_export` read it
        present = [(name, pos) for name, pos in self.positions.items() if pos is not None]
        absent = [name for name, pos in self.positions.items() if pos is None]
        columns: dict[str, list[str]] = {name: [] for name, _ in present}
        lines: list[int] = []
        start = self.start_line

        def batch():
            out = dict(columns)
            for name in absent:
                out[name] = [""] * len(lines)
            return out, list(lines)

        try:
            for values in reader:
                if not values or (len(values) == 1 and not values[0].strip()):
                    start = reader.line_num + 1
                    continue  # blank line
                end = reader.line_num
                if len(values) != width:
                    message = field_count_message(width, delimiter, len(values))
                    if end > start and any("\n" in v or "\r" in v for v in values):
                        message = (
                            f"{UNBALANCED_QUOTE}: lines {start}-{end} were read as one record ({message})"
                        )
                    self.malformed.append((start, message, values))
                elif any("\x00" in v for v in values):
                    self.malformed.append((start, NUL_MESSAGE, [v.replace("\x00", "") for v in values]))
                elif end > start and _swallows_records(values, delimiter, width):
                    message = (
                        f"{UNBALANCED_QUOTE}: lines {start}-{end} were read as one record (a quoted field "
                        "runs over lines that look like records of their own)"
                    )
                    self.malformed.append((start, message, values))
                else:
                    for name, pos in present:
                        columns[name].append(values[pos])
                    lines.append(start)
                    self.good_rows += 1
                    if len(lines) >= size:
                        yield batch()
                        columns = {name: [] for name, _ in present}
                        lines = []
                start = reader.line_num + 1
        except csv.Error as exc:  # e.g. an unterminated quote running to the end of the file
            self.malformed.append((start, f"the record cannot be split into fields: {exc}", []))
        if lines or self.good_rows == 0:
            yield batch()


def _swallows_records(values: list[str], delimiter: str, width: int) -> bool:
    """A field that spans lines is normal in a note; one whose later lines carry a record's worth of
    delimiters is an opening quote that was never closed, which swallowed the records after it."""
    for value in values:
        for line in value.replace("\r\n", "\n").split("\n")[1:]:
            if width > 1 and line.count(delimiter) >= width - 1:
                return True
    return False


def open_export(raw: bytes, expected: list[str], required: list[str]) -> Export:
    """Decode, find the delimiter and check the header. `expected`: all contract columns; `required`: must exist."""
    text, encoding = decode(raw)
    end = text.find("\n")
    # the first line found, not split off: a split copies the rest of the text (40 ms per 30 MB)
    first_line = (text if end < 0 else text[:end]).rstrip("\r")
    # Excel's "Unicode text" is UTF-16 and tab-separated; a tab is no delimiter of the canonical CSV files
    candidates = (";", ",", "\t") if encoding == "utf-16" else (";", ",")
    delimiter = detect_delimiter(first_line, expected, candidates)
    # a first line with text and without a quote or a carriage return is the header as the reader over the whole
    # text reads it (a quoted line break or a bare carriage return would make it read beyond the line; a blank
    # line, an empty header)
    simple = end >= 0 and first_line != "" and '"' not in first_line and "\r" not in first_line
    reader = _reader(first_line if simple else text, delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileRejected("unreadable_header", f"the header line cannot be read: {exc}") from exc
    present = {normalise_header(name) for name in header}
    missing = [name for name in required if normalise_header(name) not in present]
    if missing:
        raise FileRejected(
            "missing_required_header",
            f"required column(s) {', '.join(missing)} not in the header ({_header_summary(header, expected)}; "
            f"delimiter {delimiter!r})",
        )
    return Export(
        encoding,
        delimiter,
        header,
        text,
        header_positions(header, expected),
        2 if simple else reader.line_num + 1,
    )


def _reader(text: str, delimiter: str):
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)


def _header_summary(header: list[str], expected: list[str]) -> str:
    """What the first line held, without quoting it: it may be a record (a file without its header row).
    Only names of contract columns are repeated; anything else is counted."""
    wanted = {normalise_header(name): name for name in expected}
    known = [wanted[normalise_header(h)] for h in header if normalise_header(h) in wanted]
    others = len(header) - len(known)
    text = f"the first line has {len(header)} field(s)"
    if known:
        text += f"; contract columns among them: {', '.join(known)}"
    if others:
        text += f"; {others} other field(s), not shown (they may be personal data)"
    return text


def parse(raw: bytes, expected: list[str], required: list[str]) -> ParsedFile:
    """The whole export at once (small files, tests): canonical columns, lines, malformed records."""
    export = open_export(raw, expected, required)
    columns: dict[str, list[str]] = {name: [] for name in expected}
    lines: list[int] = []
    for batch, batch_lines in export.chunks():
        for name in expected:
            columns[name].extend(batch[name])
        lines.extend(batch_lines)
    return ParsedFile(export.encoding, export.delimiter, export.header, columns, lines, export.malformed)

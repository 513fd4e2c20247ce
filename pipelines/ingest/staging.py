"""One file's rows from its parsed export into raw.<source> and quarantine.<source>, inside the caller's
transaction: staging the records, then applying the row rules (rules.py), keyed hashes, post-load steps and
the erasure sweep for this file.

The CSV reading seam is `stage_records`: whatever reads the file only has to give the temp view `incoming`
with one text column `v_<column>` per declared column ('' where the file lacks it) and `_line`, the physical
line each record starts on, and leave malformed records in `parsed.malformed` (and the count of good ones in
`parsed.good_rows`). Everything after `incoming` is SQL and does not care how the records got there.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.ingest import filenames, privacy, rules
from pipelines.ingest.ledger import FileResult
from pipelines.ingest.reading import PY_SPACE, Export, field_count_message, malformed_reason
from pipelines.ingest.sources import Column, Source
from pipelines.ingest.tables import TableExport

# --------------------------------------------------------------------------------------------- reading


def stage_records(
    con, source: Source, parsed: Export | TableExport, path: Path, raw: bytes, hashed: os.stat_result
) -> Export | TableExport:
    """Every record of the file into the temp view `incoming` (v_<column> text, _line): by DuckDB's CSV reader
    where that gives the same records as the csv module, else in Python. A `TableExport` (a workbook, a tool's
    export) is staged as its fields and mapped to the columns in SQL, with the columns it derives. Returns the
    export as read (its records, if the csv module had to read them)."""
    if isinstance(parsed, TableExport):
        if parsed.read_later is not None:
            line = _fields_with_duckdb(con, parsed, path, raw, hashed, lenient=True)
            if line is not None:
                _columns_from_fields(con, source, parsed, line)
                return parsed
        _fields_with_python(con, parsed.read())
        _columns_from_fields(con, source, parsed, "_line")
        return parsed
    if not _stage_with_duckdb(con, source, parsed, path, raw, hashed):
        _stage_with_python(con, source, parsed)
    return parsed


def _arrow_table(source: Source, columns: dict[str, list[str]], lines: list[int]) -> pa.Table:
    arrays = {f"v_{c.name}": pa.array(columns[c.header], pa.string()) for c in source.columns}
    arrays["_line"] = pa.array(lines, pa.int64())
    return pa.table(arrays)


def _stage_with_python(con, source: Source, parsed: Export) -> None:
    # batches of records into one temp table: Python holds one batch at a time, DuckDB the whole file
    for n, (columns, lines) in enumerate(parsed.chunks()):
        con.register("incoming_batch", _arrow_table(source, columns, lines))
        if n == 0:
            con.execute("create or replace temp table incoming_rows as select * from incoming_batch")
        else:
            con.execute("insert into incoming_rows select * from incoming_batch")
        con.unregister("incoming_batch")
    con.execute("create or replace temp view incoming as select * from incoming_rows")


def _fields_with_python(con, export: TableExport) -> None:
    """The records' fields (c0, c1, ... as in the header; '' where a row is short) and lines into `incoming_csv`."""
    width = len(export.header)
    arrays = {
        f"c{i}": pa.array([v[i] if i < len(v) else "" for _, v in export.records], pa.string())
        for i in range(width)
    }
    arrays["_line"] = pa.array([line for line, _ in export.records], pa.int64())
    con.register("incoming_batch", pa.table(arrays))
    con.execute("create or replace temp table incoming_csv as select * from incoming_batch")
    con.unregister("incoming_batch")


def _stage_with_duckdb(
    con, source: Source, parsed: Export, path: Path, raw: bytes, hashed: os.stat_result
) -> bool:
    """A canonical CSV file by DuckDB's reader, where that gives the csv module's records (`_fields_with_duckdb`)."""
    line = _fields_with_duckdb(con, parsed, path, raw, hashed)
    if line is None:
        return False
    _columns_from_fields(con, source, parsed, line)
    return True


def _fields_with_duckdb(
    con,
    parsed: Export | TableExport,
    path: Path,
    raw: bytes,
    hashed: os.stat_result,
    lenient: bool = False,
) -> str | None:
    """The file's fields into the temp table `incoming_csv` (c0, c1, ...), by DuckDB's reader; returns the SQL of
    each field row's line (None: left to the csv module). Taken only where it cannot differ from the csv module: a
    UTF-8 file, or a Windows-1252 file that reads the same as Latin-1 (`_duckdb_encoding`), in which every line
    after the header is exactly one record (no blank line, no line break inside quotes) and which DuckDB's strict
    reader accepts (no stray quote, no record with too many or too few fields), with no space beside a quote
    (DuckDB drops it, the csv module keeps it or splits there) and no glob character in its name (DuckDB would
    read the files the pattern matches). A canonical file whose only fault is a few records with too many or too
    few fields on lines without a quote is read past them, and they are its malformed records
    (`_read_past_malformed`). DuckDB's strict reader still accepts one empty field too many at the end of a
    record: the csv module quarantines that record, so such a file is left to it, unless `lenient` (the tools'
    reader, which drops empty fields beyond the header and skips records of blank fields: a file with such a
    record is left to it instead). Anything else returns None and the csv module reads the file.

    DuckDB reads the file again: `hashed` is its stat from before `raw` was read and hashed, and a file that
    differs from it after DuckDB's read is left to the csv module, which reads `raw` (the recorded sha256)."""
    encoding = _duckdb_encoding(parsed.encoding, raw)
    if encoding is None or _bare_carriage_return(raw) or b"\x00" in raw:
        return None
    if _space_beside_quote(raw) or any(c in str(path) for c in "*?[]{}"):
        return None
    end = _content_end(raw)
    records = raw.count(b"\n", 0, end)  # lines after the header
    if records == 0 or BLANK_LINE.search(raw, 0, end):
        return None
    width = len(parsed.header)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    delimiter = parsed.delimiter.replace("'", "''")
    read = (
        f"create or replace temp table incoming_csv as select * from read_csv(?, delim = '{delimiter}', "
        f"quote = '\"', escape = '\"', header = true, auto_detect = false, columns = {{{columns}}}, "
        f"strict_mode = true, null_padding = false, encoding = '{encoding}'"
    )
    malformed: list[tuple[int, str, list[str]]] = []
    try:
        con.execute(read + ", ignore_errors = false)", [str(path)])
    except duckdb.Error:
        con.execute("drop table if exists incoming_csv")
        found = None if lenient else _read_past_malformed(con, read, path, parsed, raw)
        if found is None:
            return None
        malformed = found
    after = path.stat()
    count = con.execute("select count(*) from incoming_csv").fetchone()[0]
    differs = 0
    if lenient and count == records:
        all_blank = " and ".join(
            f"coalesce(regexp_full_match(c{i}, '{PY_SPACE}*'), true)" for i in range(width)
        )
        differs = con.execute(f"select count(*) from incoming_csv where {all_blank}").fetchone()[0]
    elif count + len(malformed) == records and _ends_a_line(raw, parsed.delimiter):
        # DuckDB reads the lines split at a unit separator only, so one cuts its line short: not counted then
        too_many = (
            None
            if b"\x1f" in raw
            else _records_with_a_field_too_many(con, path, parsed.delimiter, width, encoding)
        )
        # the malformed records found (no quote in them) that end in the delimiter are counted there too
        differs = 1 if too_many is None else too_many - sum(values[-1] == "" for _, _, values in malformed)
    if (
        count + len(malformed) != records
        or differs
        or (hashed.st_size, hashed.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
    ):
        con.execute("drop table incoming_csv")
        return None
    parsed.good_rows = count
    if malformed:
        parsed.malformed = malformed
    # rowid is the insertion order of `incoming_csv`, created afresh: row n (from 0) starts on line n + 2, and one
    # line later for every malformed record before it (the rows from L - 2 - i on come after the i-th one, from 0,
    # on line L)
    shift = "".join(f" + (rowid >= {line - 2 - i})::integer" for i, (line, _, _) in enumerate(malformed))
    return f"rowid + 2{shift}"


# A file with more malformed records than this is left to the csv module (the line of each row of DuckDB's read
# is one term more per record before it: `_fields_with_duckdb`)
MALFORMED_READ_PAST = 100


def _read_past_malformed(
    con, read: str, path: Path, parsed: Export, raw: bytes
) -> list[tuple[int, str, list[str]]] | None:
    """After DuckDB's strict reader refused a file: the file read again, past the records it cannot read
    (`store_rejects`), into `incoming_csv`; returns those records as the csv module's reading gives them
    (`Export.chunks`: line, message, fields), or None (the file is left to the csv module). Read past only where
    the two cannot differ: at most MALFORMED_READ_PAST such records, each a whole line without a quote (its
    fields are its text split at the delimiter, and nothing of it runs into the next line) and with another
    number of fields than the header, not a line of white space alone (a blank record to the csv module).

    Each refused line is found in the file's own bytes, by the line number DuckDB gives it, and taken only if it
    holds the text DuckDB refused (DuckDB's line numbers drift after a quote it could not read) and, in UTF-8,
    begins where DuckDB says, give or take a byte (its byte positions are one off here and there, DuckDB 2.0.1;
    in Latin-1, which it transcodes first, they are not the file's): a second check, as a line found wrongly
    would also leave the count of the file's lines short. `read` is the reader's statement without its last
    options (`_fields_with_duckdb`). The refused text is in a temp table of this connection only while this runs
    (it is a person's data)."""
    refused: list[tuple[int, int, str | None]] | None = None
    try:
        con.execute(
            read + ", ignore_errors = true, store_rejects = true, "
            "rejects_table = 'incoming_rejects', rejects_scan = 'incoming_reject_scans')",
            [str(path)],
        )
        refused = con.execute(
            "select distinct line, line_byte_position, csv_line from incoming_rejects order by 1"
        ).fetchall()
    except duckdb.Error:
        pass
    finally:
        con.execute("drop table if exists incoming_rejects")
        con.execute("drop table if exists incoming_reject_scans")
    lines = [line for line, _, _ in refused or []]
    known = refused and all(line is not None and position is not None for line, position, _ in refused)
    starts = (
        _line_starts(raw, lines) if known and len(set(lines)) == len(lines) <= MALFORMED_READ_PAST else None
    )
    if starts is None:
        con.execute("drop table if exists incoming_csv")
        return None
    width, delimiter = len(parsed.header), parsed.delimiter
    encoding = "utf-8" if parsed.encoding == "utf-8-sig" else parsed.encoding
    malformed: list[tuple[int, str, list[str]]] = []
    for (line, position, refused_text), start in zip(refused, starts, strict=True):
        end = raw.find(b"\n", start)
        # a byte-order mark begins the file only (the header), not a line of it
        text = raw[start : len(raw) if end < 0 else end].decode(encoding).removesuffix("\r")
        values = text.split(delimiter)
        if (
            text != (refused_text or "").strip("\r\n")
            or (encoding == "utf-8" and abs(start - position) > 1)
            or '"' in text
            or len(values) == width
            or (len(values) == 1 and not values[0].strip())
        ):
            con.execute("drop table if exists incoming_csv")
            return None
        malformed.append((line, field_count_message(width, delimiter, len(values)), values))
    return malformed


# the bytes whose line ends are counted at a time when a line is looked for by its number
LINE_BLOCK = 1 << 16


def _line_starts(raw: bytes, lines: list[int]) -> list[int] | None:
    """Where each of `lines` (numbers from 1, ascending) begins in `raw`, or None where the file has fewer:
    the line ends counted a block at a time (`bytes.count`), then found one by one in the block that holds the
    line's start (a loop over a million lines in Python costs about a quarter of a second)."""
    starts: list[int] = []
    line, at = 1, 0
    for wanted in lines:
        if wanted < line:
            return None
        while True:
            block_end = min(at + LINE_BLOCK, len(raw))
            ends = raw.count(b"\n", at, block_end)
            if line + ends >= wanted or block_end == len(raw):
                break
            line, at = line + ends, block_end
        while line < wanted:
            end = raw.find(b"\n", at)
            if end < 0:
                return None
            line, at = line + 1, end + 1
        starts.append(at)
    return starts


# A blank line, found by one regular expression: 13 ms for a members export at scale 10 (30 MB) where `\n\n`
# and `\n\r\n` by `in` took 52 ms (its search of a pair of bytes is slow where the first byte is frequent).
BLANK_LINE = re.compile(rb"\n\r?\n")


# the bytes looked at by `_space_beside_quote` at a time: its arrays stay within a few hundred MiB whatever the file
QUOTE_SLICE = 1 << 24


def _space_beside_quote(raw: bytes) -> bool:
    """Whether a space stands right before or after some double quote. A file without a quote has none: one
    byte is found by memchr (1 ms for 30 MB; a members export at scale 10 has no quote at all). Where there are
    quotes (the user agents of a newsletter activity export), the bytes beside each quote are looked at: 21 ms
    for an 80 MB export at scale 10, where searching for the pairs of bytes (`b' "' in raw`), whose first byte
    is frequent, took 145 ms. Slice by slice of `QUOTE_SLICE` bytes, each holding a byte per byte of the slice
    and about 25 per quote in it (every text field of a pretix export is quoted): 17.6 MiB at most for that
    export, where the whole file at once held 81.7 MiB. The neighbours are read from the whole file, so a quote
    at a slice's edge is seen whole."""
    if b'"' not in raw:
        return False
    data = np.frombuffer(raw, dtype=np.uint8)  # the bytes themselves, not a copy
    last = len(data) - 1
    space = ord(" ")
    for start in range(0, len(data), QUOTE_SLICE):
        quotes = np.flatnonzero(data[start : start + QUOTE_SLICE] == ord('"')) + start
        before = quotes[quotes > 0] - 1
        after = quotes[quotes < last] + 1
        if (data[before] == space).any() or (data[after] == space).any():
            return True
    return False


def _content_end(raw: bytes) -> int:
    """Where the file's bytes end without its last line ends (what `raw.rstrip(b"\\r\\n")` keeps, without
    copying the file: 50 ms per 100 MB)."""
    end = len(raw)
    while end and raw[end - 1] in b"\r\n":
        end -= 1
    return end


def _bare_carriage_return(raw: bytes) -> bool:
    """A carriage return that does not end a line (a CR byte not followed by LF): more of them than of CRLF pairs
    (each pair holds one, and pairs cannot overlap). Counted, not copied: a copy without the pairs took twice as
    long (36 ms against 20 ms for a members export of 12 MB with CRLF)."""
    return b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")


# the bytes in which Windows-1252 and Latin-1 differ: cp1252's €, „, “, –, … and five it leaves undefined
_CP1252_NOT_LATIN1 = bytes(range(0x80, 0xA0))


def _duckdb_encoding(encoding: str, raw: bytes) -> str | None:
    """The encoding DuckDB's reader reads the file in, giving the characters `reading.decode` gave, or None.
    DuckDB reads UTF-8 and Latin-1, not Windows-1252 (Excel's "CSV (Trennzeichen-getrennt)" on a German
    Windows); the two agree on every byte but 0x80-0x9F, so a Windows-1252 file without any of those reads the
    same as Latin-1. Such an export (umlauts and ß, no € or typographic quotes) then costs DuckDB's read instead
    of the csv module's, about a third of the time (the demo's older members' exports at scale 10: 1.3 s
    against 4.0 s, docs/benchmarks.md, seventh pass)."""
    if encoding in ("utf-8", "utf-8-sig"):
        return "utf-8"
    # none of them: deleting them deletes nothing (one pass in C, about 0.1 s for 70 MB; a regex took 0.6 s)
    if encoding == "cp1252" and len(raw.translate(None, _CP1252_NOT_LATIN1)) == len(raw):
        return "latin-1"
    return None


def _ends_a_line(raw: bytes, delimiter: str) -> bool:
    """Whether some line of the file ends in the delimiter (only such a record can have a field too many that
    DuckDB's strict reader lets through)."""
    mark = delimiter.encode("utf-8")
    # a pair of bytes beginning with a frequent one is slow to find (30 ms per 30 MB), a carriage return is not;
    # a file with CRLF line ends is asked for the delimiter before CRLF first: where some line ends so (every
    # members export), it is found at once, not after a search of the whole file for the delimiter before LF
    return (
        (b"\r" in raw and mark + b"\r\n" in raw)
        or mark + b"\n" in raw
        or raw.endswith(mark, 0, _content_end(raw))
    )


def _records_with_a_field_too_many(con, path: Path, delimiter: str, width: int, encoding: str) -> int | None:
    """Records that end in a delimiter and have more than `width` fields (delimiters outside quotes), read as
    lines: the only excess DuckDB's strict reader lets through (the file is known to be strictly readable)."""
    delimiter = delimiter.replace("'", "''")
    # quoted parts removed (only on lines that have any: most have none)
    outside = (
        "(case when contains(line, '\"') then regexp_replace(line, '\"[^\"]*\"', '', 'g') else line end)"
    )
    try:
        return con.execute(
            "select count(*) from read_csv(?, columns = {'line': 'VARCHAR'}, header = true, delim = '\x1f', "
            "quote = '', escape = '', auto_detect = false, strict_mode = false, null_padding = false, "
            f"encoding = '{encoding}') "
            f"where suffix(line, '{delimiter}') "
            f"and length({outside}) - length(replace({outside}, '{delimiter}', '')) <> {width - 1}",
            [str(path)],
        ).fetchone()[0]
    except duckdb.Error:  # not counted: the file is left to the csv module
        return None


def _columns_from_fields(con, source: Source, parsed: Export | TableExport, line: str) -> None:
    """`incoming`, a view of `incoming_csv`: each column from its field by header ('' where the file lacks it),
    or derived in SQL from other fields (a tool's export, tools.py); `line` says where each record starts."""
    derived = getattr(parsed, "derived", {})

    def column(c: Column) -> str:
        if c.name in derived:
            return derived[c.name]
        at = parsed.positions.get(c.header)
        return "''" if at is None else f"coalesce(c{at}, '')"

    values = ", ".join(f"{column(c)} as v_{c.name}" for c in source.columns)
    # A view: `checked` reads the fields once, through it (a table here was one more copy of every record:
    # about a tenth of a large file's staging and rules, docs/benchmarks.md, twenty-third pass)
    con.execute(f"create or replace temp view incoming as select {values}, {line} as _line from incoming_csv")


# --------------------------------------------------------------------------------------------- applying the rules


def drop_staged(con) -> None:
    """Drop the staged records: the view `incoming` and the table it reads (DuckDB's reader's fields, or the
    csv module's records)."""
    con.execute("drop view if exists incoming")
    for temp in ("incoming_csv", "incoming_rows"):
        con.execute(f"drop table if exists {temp}")


def drop_temps(con, source: Source) -> None:
    """Drop what one file's load creates in its connection: its temp tables and the views `incoming`, `ready`."""
    con.execute("drop view if exists ready")
    drop_staged(con)
    hashes = [f"hashes_{c.name}" for c in source.hashed_columns]
    # linking_*: privacy._linking_rows_that_go's, for a file of a table that links members to addresses
    for temp in ["checked", *hashes, "linking_candidates", "linking_holders"]:
        con.execute(f"drop table if exists {temp}")


def load_staged(
    con,
    source: Source,
    parsed: Export | TableExport,
    file_name: str,
    sha: str,
    run_id: str,
    exported_at: datetime | None = None,
) -> FileResult:
    """The malformed records into quarantine whole; the rows of people erased before taken out of the staged
    records (`incoming`, through the row rules); the rest into raw and quarantine; then the source's post-load
    steps, the erasure sweep of this file and its quarantine log."""
    repeated = rules.repeated_keys_select(source)
    repeated_keys = repeated is not None and bool(con.execute(repeated).fetchone()[0])
    con.execute(f"create or replace temp table checked as {rules.checked_select(source, repeated_keys)}")
    drop_staged(con)
    for c in source.hashed_columns:
        con.execute(f"create or replace temp table hashes_{c.name} as {rules.hashes_select(c)}")
    # a view: the good rows flow from the join straight into raw, and the quarantine's few rows are joined
    # on their own (materialising the join first cost about a tenth of a large file's load)
    con.execute(f"create or replace temp view ready as {rules.ready_select(source)}")
    kept_with_issue = _kept_with_issue(con, source)  # over every staged row, erased people's too
    # rows of people erased before never reach the file (no rewrite for them); they count as loaded and erased
    # records that do not split into fields go to quarantine whole, first: what the erasure before writing
    # derives from a file's rows, it derives from them too (as `privacy.sweep` does after writing)
    malformed = _quarantine_malformed(con, source, parsed, file_name, sha, run_id, exported_at)
    erased_good, erased_broken, detached = privacy.erase_before_writing(con, run_id, source, sha)
    params = {"file": file_name, "sha": sha, "run": run_id, "exported": exported_at}
    loaded = erased_good + con.execute(rules.raw_insert(source), params).fetchone()[0]
    # The quarantine's statements only for a file with rows for it: most files have none, and DuckDB plans a
    # statement over a wide source's columns in 5-15 ms even when it has no row to write (its profile of the
    # demo's pretix exports: planning about four fifths of their quarantine inserts' time). Skipped, they would
    # have written and found nothing: no row of this file is in quarantine but the ones written here.
    broken = con.execute("select count(*) from checked where _failure is not null").fetchone()[0]
    written = malformed + (
        con.execute(rules.quarantine_insert(source), params).fetchone()[0] if broken else 0
    )
    quarantined = erased_broken + written
    for statement in source.post_load:
        con.execute(statement, {"sha": sha})
    erased = privacy.sweep(con, run_id, sha, source.name)
    problems = []
    if written:
        _unquote_name_values(con, source, parsed, file_name, sha)
        con.execute(rules.quarantine_log_insert(source), [sha])
        problems = [
            f"{file_name}:{line} {message}"
            for line, message in con.execute(
                f"select _line, _message from quarantine.{source.name} where _file_sha256 = ? "
                "order by _line limit 5",
                [sha],
            ).fetchall()
        ]
    drop_temps(con, source)
    return FileResult(
        source.name,
        file_name,
        sha,
        "loaded",
        rows_read=parsed.rows_read,
        rows_loaded=int(loaded),
        rows_quarantined=int(quarantined),
        rows_erased=erased_good + erased_broken + detached + sum(erased.values()),
        problems=problems,
        kept_with_issue=kept_with_issue,
    )


def _quarantine_malformed(
    con, source: Source, parsed: Export | TableExport, file_name: str, sha: str, run_id: str, exported_at
) -> int:
    """Records that do not even split into the header's fields: kept whole, with their line (their raw text
    only where the source keeps personal values at all), and their fields under the columns the header's
    positions give them, as a good row's (or as the reader named them, `TableExport.malformed_columns`)."""
    stored, hashes = source.stored_columns, source.hashed_columns
    named = parsed.malformed_columns if isinstance(parsed, TableExport) else {}
    statement = rules.malformed_insert(source)
    for line, text, values in parsed.malformed:
        by_header = named.get(line)
        row = {c.name: _field_of(parsed, values, by_header, c) for c in stored}
        hashed = [
            _value_hash(con, c, row[c.name] if c.name in row else _field_of(parsed, values, by_header, c))
            for c in hashes
        ]
        raw_record = parsed.delimiter.join(values)
        con.execute(
            statement,
            [row[c.name] for c in stored]
            + hashed
            + [file_name, sha, line, run_id, _now(con), exported_at]
            + [raw_record if source.keeps_raw_records else None, "", malformed_reason(text), text],
        )
    return len(parsed.malformed)


def _unquote_name_values(con, source: Source, parsed: Export | TableExport, file_name: str, sha: str) -> None:
    """A value the file's name gave (`TableExport.name_values`) is not quoted in its quarantine messages where the
    name is not of a known pattern: such a name is not published (filenames.public_name) and may be a person's."""
    if not isinstance(parsed, TableExport) or not parsed.name_values or filenames.is_known(file_name):
        return
    for value in parsed.name_values:  # stripped already, as a message quotes it (tools._slug_from_name)
        con.execute(
            f"update quarantine.{source.name} set _message = replace(_message, ?, '(value from the file name)') "
            "where _file_sha256 = ?",
            [f"(value '{value}')", sha],
        )


def _kept_with_issue(con, source: Source) -> dict[str, int]:
    """Per column (header), the good rows kept with an unusable value: counted for data quality, never silently
    dropped."""
    sql = rules.kept_with_issue_select(source)
    if sql is None:
        return {}
    row = con.execute(sql)
    names = [d[0] for d in row.description]
    return {name: int(value) for name, value in zip(names, row.fetchone(), strict=True) if value}


def _field_of(
    parsed: Export | TableExport, values: list[str], by_header: dict[str, str] | None, c: Column
) -> str | None:
    """A malformed record's value of column `c`: as its reader named it, else at the header's position."""
    if by_header is not None:
        return by_header.get(c.header)
    pos = parsed.positions.get(c.header)
    return values[pos] if pos is not None and pos < len(values) else None


def _value_hash(con, c: Column, value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    return con.execute(rules.value_hash_sql(c), {"v": value}).fetchone()[0]


def _now(con):
    return con.execute("select now()::timestamp").fetchone()[0]

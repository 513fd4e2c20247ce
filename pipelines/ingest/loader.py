"""Loading landing files into warehouse.duckdb: row rules, quarantine, ledger, one transaction per file.

For every file: rows_read = rows_loaded + rows_quarantined, and the ledger row commits together with the rows,
so a crash leaves no half file and the next run loads it again. The same bytes load once, under any name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.ingest import guards, privacy, quality
from pipelines.ingest.catalogue import raw_tables
from pipelines.ingest.landing import date_in_name, export_time, export_time_in_name
from pipelines.ingest.reading import (
    Export,
    FileRejected,
    is_empty,
    malformed_reason,
    normalise_header,
    open_export,
)
from pipelines.ingest.sources import (
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    EMAIL,
    INT,
    MEMBER_ID,
    REASONS,
    REJECT_INVALID,
    SOURCES,
    YEAR,
    Column,
    Source,
)
from pipelines.ingest.tables import TableExport, is_workbook, read_workbook
from pipelines.ingest.tools import TOOLS

SQL_TYPES = {
    DATE: "date",
    DATETIME: "timestamp",
    BOOL: "boolean",
    INT: "integer",
    DECIMAL: "decimal(14, 2)",
    YEAR: "integer",
}
TRUE_WORDS = ("ja", "yes", "true", "1", "j", "y", "wahr", "x")
FALSE_WORDS = ("nein", "no", "false", "0", "n", "falsch", "")
NAIVE_DATETIME_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
]


# --------------------------------------------------------------------------------------------- schema


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists quarantine")
    con.execute("create schema if not exists meta")
    con.execute(
        """
        create table if not exists meta.ingested_files (
            run_id varchar, source varchar, file_name varchar, sha256 varchar, size_bytes bigint,
            encoding varchar, delimiter varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
            rows_erased bigint, status varchar, reason varchar, ingested_at timestamp
        )
        """
    )
    con.execute(
        """
        create table if not exists meta.quarantine_log (
            run_id varchar, source varchar, file_name varchar, line_number bigint, column_name varchar,
            reason_code varchar, reason varchar, message varchar
        )
        """
    )
    # added after the first release: warehouses created before get the column on their next run
    con.execute("alter table meta.quarantine_log add column if not exists message varchar")
    # size and modification time of each landing file when its bytes were last hashed: an unchanged file that
    # the ledger already has is skipped without reading it again (gigabytes of exports on every run)
    con.execute(
        """
        create table if not exists meta.landing_file_stats (
            file_name varchar primary key, size_bytes bigint, mtime_ns bigint, sha256 varchar
        )
        """
    )
    con.execute(
        """
        create table if not exists meta.erased_identities (
            hash varchar primary key, kind varchar, requested_on date, first_seen_run varchar,
            swept_everywhere_at timestamp
        )
        """
    )
    # added later: an identity whose rows were removed from every table gets a stamp, so that a full sweep only
    # searches for identities that are new since (earlier warehouses: null, so their first run sweeps them all)
    con.execute("alter table meta.erased_identities add column if not exists swept_everywhere_at timestamp")
    con.execute(
        "create table if not exists meta.erasure_log (run_id varchar, table_name varchar, rows_affected bigint, "
        "swept_at timestamp)"
    )
    con.execute(
        """
        create table if not exists meta.data_quality (
            run_id varchar, check_name varchar, source varchar, severity varchar, passed boolean,
            observed_value double, details varchar, checked_at timestamp
        )
        """
    )
    con.execute(
        """
        create table if not exists meta.pipeline_runs (
            run_id varchar primary key, started_at timestamp, finished_at timestamp, status varchar,
            files_loaded bigint, rows_loaded bigint, rows_quarantined bigint, files_rejected bigint
        )
        """
    )
    # added with the tool exports (TOOLS.md §1): which tool wrote a file, the kind recognised, its language
    for column in ("tool", "kind", "language"):
        con.execute(f"alter table meta.ingested_files add column if not exists {column} varchar")
    ledger_columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'meta' and table_name = 'ingested_files'"
        ).fetchall()
    }
    if "exported_at" not in ledger_columns:
        # the truncation guard compares export dates: the files recorded before get theirs from their names
        con.execute("alter table meta.ingested_files add column exported_at timestamp")
        _backfill_export_times(con, "meta.ingested_files", "file_name", "exported_at")
    for source in raw_tables():
        _ensure_tables(con, source)


META_COLUMNS = (
    ("_source_file", "varchar"),
    ("_file_sha256", "varchar"),
    ("_line", "bigint"),
    ("_run_id", "varchar"),
    ("_loaded_at", "timestamp"),
    # the file's export time (TOOLS.md §1): where overlapping exports disagree, the latest export wins
    ("_exported_at", "timestamp"),
)


def _ensure_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    typed = []
    for c in source.stored_columns:
        typed.append((c.name, SQL_TYPES.get(c.kind, "varchar")))
        if c.kind == EMAIL:
            typed.append((f"{c.name}_valid", "boolean"))
    hashes = [(f"{c.name}_hash", "varchar") for c in source.hashed_columns]
    strings = [(c.name, "varchar") for c in source.stored_columns]
    q_meta = [
        ("_raw_record", "varchar"),
        ("_column", "varchar"),
        ("_reason", "varchar"),
        ("_message", "varchar"),
    ]
    for table, columns in (
        (f"raw.{source.name}", typed + hashes + list(META_COLUMNS)),
        (f"quarantine.{source.name}", strings + hashes + list(META_COLUMNS) + q_meta),
    ):
        con.execute(f"create table if not exists {table} ({', '.join(f'{n} {t}' for n, t in columns)})")
        schema, name = table.split(".")
        present = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()
        }
        # warehouses made by an earlier version get the columns added since (empty for their old rows)
        for column, sql_type in columns:
            if column not in present:
                con.execute(f"alter table {table} add column {column} {sql_type}")
        if "_exported_at" not in present:
            # the rows loaded before the column existed: the export time of their file names
            _backfill_export_times(con, table, "_source_file", "_exported_at")


def _backfill_export_times(con: duckdb.DuckDBPyConnection, table: str, name_column: str, column: str) -> None:
    """Set `column` where it is empty from the file name in `name_column`, as the loader does (landing.py)."""
    names = con.execute(f"select distinct {name_column} from {table} where {column} is null").fetchall()
    for (name,) in names:
        exported_at = export_time_in_name(name) if name else None
        if exported_at is not None:
            con.execute(
                f"update {table} set {column} = ? where {name_column} = ? and {column} is null",
                [exported_at, name],
            )


# --------------------------------------------------------------------------------------------- typing


def _s(c: Column) -> str:
    return f"trim(v_{c.name})"


def typed_expr(c: Column) -> str:
    s = _s(c)
    if c.kind == DATE:
        formats = ", ".join(f"'{f}'" for f in (c.formats or ("%d.%m.%Y", "%Y-%m-%d")))
        return f"try_strptime({s}, [{formats}])::date"
    if c.kind == DATETIME:
        formats = ", ".join(f"'{f}'" for f in (c.formats or NAIVE_DATETIME_FORMATS))
        # With an offset (or Z) the instant is exact; without one it is Europe/Berlin wall time.
        return (
            f"case when regexp_matches({s}, '([+-]\\d{{2}}:?\\d{{2}}|Z)$') "
            f"then timezone('UTC', try_cast({s} as timestamptz)) "
            f"else timezone('UTC', timezone('Europe/Berlin', try_strptime({s}, [{formats}]))) end"
        )
    if c.kind == BOOL:
        true_list = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        false_list = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        return f"case when lower({s}) in ({true_list}) then true when lower({s}) in ({false_list}) then false end"
    if c.kind == INT:
        return f"try_cast({s} as integer)"
    if c.kind == YEAR:
        return (
            f"case when try_cast({s} as integer) between 1836 and year(current_date) + 1 "
            f"then try_cast({s} as integer) end"
        )
    if c.kind == DECIMAL:
        t = f"replace(replace({s}, ' ', ''), '€', '')"
        return (
            f"case when contains({t}, ',') then try_cast(replace(replace({t}, '.', ''), ',', '.') as decimal(14, 2)) "
            f"when regexp_matches({t}, '^-?\\d{{1,3}}(\\.\\d{{3}})+$') then try_cast(replace({t}, '.', '') as decimal(14, 2)) "
            f"else try_cast({t} as decimal(14, 2)) end"
        )
    if c.kind == MEMBER_ID:
        return f"nullif(upper({s}), '')"
    return f"nullif({s}, '')"


def email_norm(c: Column) -> str:
    return f"lower(nfc_normalize({_s(c)}))"


def email_valid(c: Column) -> str:
    return f"regexp_full_match({email_norm(c)}, '[^@\\s]+@[^@\\s]+\\.[^@\\s.]+')"


def hash_key(c: Column) -> str:
    """What the keyed hash is taken of: the normalised address (valid ones only), the upper-cased id."""
    if c.kind == EMAIL:
        return f"case when {email_valid(c)} then {email_norm(c)} end"
    return f"case when {_s(c)} <> '' then upper({_s(c)}) end"


def failure_expr(source: Source) -> str:
    """The first broken rule of a row, as 'reason|column', or null for a good row."""
    whens = []
    for c in source.columns:
        if c.required:
            whens.append(f"when {_s(c)} = '' then 'missing_required|{c.header}'")
    if source.identity:
        cond = " and ".join(f"{_s(source.column(n))} = ''" for n in source.identity)
        first = source.column(source.identity[0]).header
        whens.append(f"when {cond} then 'missing_identity|{first}'")
    for c in source.columns:
        if c.kind in REJECT_INVALID:
            reason = {
                DATE: "invalid_date",
                DATETIME: "invalid_datetime",
                INT: "invalid_number",
                DECIMAL: "invalid_decimal",
            }[c.kind]
            whens.append(f"when {_s(c)} <> '' and t_{c.name} is null then '{reason}|{c.header}'")
        if c.kind in (DATE, DATETIME):
            whens.append(f"when not {guards.plausible_sql(f't_{c.name}')} then 'implausible_date|{c.header}'")
        if c.allowed:
            allowed = ", ".join(f"'{v.lower()}'" for v in c.allowed)
            whens.append(f"when lower({_s(c)}) not in ({allowed}) then 'invalid_value|{c.header}'")
        if c.kind == DECIMAL and c.name == "amount_eur":
            whens.append(f"when t_{c.name} <= 0 then 'non_positive_amount|{c.header}'")
    for ref in source.references:
        c = source.column(ref.column)
        known = " union all ".join(
            f"select {t} from raw.{ref.source} where {t} is not null" for t in ref.targets
        )
        whens.append(f"when {_s(c)} not in ({known}) then '{ref.reason}|{c.header}'")
    if source.key:
        c = source.column(source.key)
        whens.append(f"when _key_seq > 1 then 'duplicate_id|{c.header}'")
    for rule in source.rules:
        whens.append(f"when {rule.condition} then '{rule.reason}|{rule.column}'")
    return "case " + " ".join(whens) + " end" if whens else "null"


# --------------------------------------------------------------------------------------------- loading


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
    kept_with_issue: dict[str, int] = field(
        default_factory=dict
    )  # column -> rows kept with the value emptied
    tool: str = "canonical"
    kind: str = ""
    language: str = ""
    exported_at: datetime | None = None


def file_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def ledger_state(con: duckdb.DuckDBPyConnection, file_name: str, sha: str) -> str | None:
    """'seen' if this exact file was handled before, 'duplicate' if the same bytes came under another name.

    An export with a header and no rows is not a duplicate of another empty export: both are simply empty.
    """
    seen = con.execute(
        "select 1 from meta.ingested_files where sha256 = ? and file_name = ?", [sha, file_name]
    ).fetchone()
    if seen:
        return "seen"
    duplicate = con.execute(
        "select 1 from meta.ingested_files where sha256 = ? and (rows_read > 0 or status = 'rejected')", [sha]
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
    stat = path.stat()
    known = con.execute(
        "select sha256 from meta.landing_file_stats where file_name = ? and size_bytes = ? and mtime_ns = ?",
        [file_name, stat.st_size, stat.st_mtime_ns],
    ).fetchone()
    if known and ledger_state(con, file_name, known[0]) == "seen":
        return FileResult(source.name, file_name, known[0], "skipped")
    raw = path.read_bytes()
    sha = file_sha256(raw)
    con.execute(
        "insert or replace into meta.landing_file_stats values (?, ?, ?, ?)",
        [file_name, stat.st_size, stat.st_mtime_ns, sha],
    )
    state = ledger_state(con, file_name, sha)
    if state == "seen":
        return FileResult(source.name, file_name, sha, "skipped")
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
        record_file(con, run_id, result, len(raw))
        return result
    try:
        source, parsed = opener(raw, path)
    except FileRejected as exc:
        result = FileResult(
            source.name, file_name, sha, "rejected", reason=f"{exc.reason}: {exc.message}", tool=source.tool,
            exported_at=exported_at,
        )  # fmt: skip
        record_file(con, run_id, result, len(raw))
        return result
    # records into a temp table first, outside the file's transaction: a failed attempt of the fast path must
    # not abort it (temp tables belong to this connection and vanish with it)
    _stage_records(con, source, parsed, path, raw, stat)
    con.begin()
    try:
        result = _load_parsed(con, source, parsed, file_name, sha, run_id, exported_at)
        result.tool, result.kind, result.language = source.tool, source.ledger_kind, source.language
        result.exported_at = exported_at
        refusal = _refuse_loaded(con, source, file_name, sha, result)
        if refusal is None:
            record_file(con, run_id, result, len(raw), parsed.encoding, parsed.delimiter)
            con.commit()
    except BaseException:
        con.rollback()
        raise
    if refusal is not None:  # nothing of the file stays: its rows, quarantine and sweep roll back
        con.rollback()
        for temp in ("incoming", "checked", "ready", *(f"hashes_{c.name}" for c in source.hashed_columns)):
            con.execute(f"drop table if exists {temp}")
        result = FileResult(
            source.name, file_name, sha, "rejected", reason=refusal, tool=source.tool, exported_at=exported_at
        )
        record_file(con, run_id, result, len(raw), parsed.encoding, parsed.delimiter)
    return result


def _refuse_entry(con, source: Source, path: Path, file_name: str, run_id: str) -> FileResult | None:
    """A landing entry that is not a regular file, or whose name carries a date that cannot be right, is
    rejected before anything of it is read (once: the ledger remembers it by name and fingerprint)."""
    problem = guards.entry_problem(path)
    if problem is not None:
        sha = file_sha256(guards.link_fingerprint(path))
    else:
        problem = guards.file_date_problem(file_name)
        if problem is None:
            return None
        sha = file_sha256(path.read_bytes())
    if ledger_state(con, file_name, sha) == "seen":
        return FileResult(source.name, file_name, sha, "skipped")
    result = FileResult(source.name, file_name, sha, "rejected", reason=problem, tool=source.tool)
    record_file(con, run_id, result, os.lstat(path).st_size)
    return result


def _refuse_loaded(con, source: Source, file_name: str, sha: str, result: FileResult) -> str | None:
    """Inside the file's transaction, after its rows are in: a truncated snapshot, or rows that fail a
    blocking (error-severity) expectation, refuse the file as a whole."""
    problem = guards.truncated_snapshot(con, source.name, result.exported_at, result.rows_loaded)
    if problem:
        return problem
    failed = quality.failed_blocking_expectations(con, source.name, sha)
    if failed:
        return "failed_expectation: " + "; ".join(failed)
    return None


def _arrow_table(source: Source, columns: dict[str, list[str]], lines: list[int]) -> pa.Table:
    arrays = {f"v_{c.name}": pa.array(columns[c.header], pa.string()) for c in source.columns}
    arrays["_line"] = pa.array(lines, pa.int64())
    return pa.table(arrays)


def _stage_records(
    con, source: Source, parsed: Export, path: Path, raw: bytes, hashed: os.stat_result
) -> None:
    """Every record of the file into the temp table `incoming` (v_<column> text, _line): by DuckDB's CSV reader
    where that gives the same records, else by Python's csv module in batches."""
    if isinstance(parsed, TableExport) or not _stage_with_duckdb(con, source, parsed, path, raw, hashed):
        _stage_with_python(con, source, parsed)


def _stage_with_python(con, source: Source, parsed: Export) -> None:
    # batches of records into one temp table: Python holds one batch at a time, DuckDB the whole file
    for n, (columns, lines) in enumerate(parsed.chunks()):
        con.register("incoming_batch", _arrow_table(source, columns, lines))
        if n == 0:
            con.execute("create or replace temp table incoming as select * from incoming_batch")
        else:
            con.execute("insert into incoming select * from incoming_batch")
        con.unregister("incoming_batch")


def _stage_with_duckdb(
    con, source: Source, parsed: Export, path: Path, raw: bytes, hashed: os.stat_result
) -> bool:
    """The fast path, taken only where it cannot differ from the csv module: a UTF-8 file in which every line
    after the header is exactly one record (no blank line, no line break inside quotes, so the line number is
    the row number + 1) and which DuckDB's strict reader accepts (no stray quote, no record with too many or
    too few fields). Anything else returns False and the csv module reads the file, line by line.

    DuckDB reads the file again: `hashed` is its stat from before `raw` was read and hashed, and a file that
    differs from it after DuckDB's read is left to the csv module, which reads `raw` (the recorded sha256)."""
    if parsed.encoding not in ("utf-8", "utf-8-sig") or b"\r" in raw.replace(b"\r\n", b"") or b"\x00" in raw:
        return False
    body = raw.rstrip(b"\r\n")
    records = body.count(b"\n")  # lines after the header
    if records == 0 or b"\n\n" in body or b"\n\r\n" in body:
        return False
    width = len(parsed.header)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    delimiter = parsed.delimiter.replace("'", "''")
    try:
        con.execute(
            f"create or replace temp table incoming_csv as select * from read_csv(?, delim = '{delimiter}', "
            f"quote = '\"', escape = '\"', header = true, auto_detect = false, columns = {{{columns}}}, "
            "strict_mode = true, null_padding = false, ignore_errors = false, encoding = 'utf-8')",
            [str(path)],
        )
    except duckdb.Error:
        con.execute("drop table if exists incoming_csv")
        return False
    after = path.stat()
    count = con.execute("select count(*) from incoming_csv").fetchone()[0]
    if count != records or (hashed.st_size, hashed.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        con.execute("drop table incoming_csv")
        return False
    values = ", ".join(
        f"coalesce(c{parsed.positions[c.header]}, '') as v_{c.name}"
        if parsed.positions.get(c.header) is not None
        else f"'' as v_{c.name}"
        for c in source.columns
    )
    # rowid is the insertion order of the freshly created table: record n (from 0) starts on line n + 2
    con.execute(
        f"create or replace temp table incoming as select {values}, rowid + 2 as _line from incoming_csv"
    )
    con.execute("drop table incoming_csv")
    parsed.good_rows = count
    return True


def _load_parsed(
    con,
    source: Source,
    parsed: Export,
    file_name: str,
    sha: str,
    run_id: str,
    exported_at: datetime | None = None,
) -> FileResult:
    typed = ", ".join(f"{typed_expr(c)} as t_{c.name}" for c in source.columns)
    key_seq = "1 as _key_seq"
    if source.key:
        key = source.column(source.key)
        key_seq = f"row_number() over (partition by {_s(key)} order by _line) as _key_seq"
    keys = "".join(f", {hash_key(c)} as k_{c.name}" for c in source.hashed_columns)
    # typed values, then the row rules over them, in one statement (one table written, not two)
    con.execute(
        f"create or replace temp table checked as select *, {failure_expr(source)} as _failure{keys} "
        f"from (select *, {typed}, {key_seq} from incoming) as staged"
    )
    con.execute("drop table incoming")
    stored = source.stored_columns
    hashes = source.hashed_columns
    # Keyed hashes per distinct value (an address recurs in thousands of rows of an activity export).
    joins = []
    for c in hashes:
        con.execute(
            f"create or replace temp table hashes_{c.name} as select k, alumni_hmac(k) as h "
            f"from (select distinct k_{c.name} as k from checked where k_{c.name} is not null)"
        )
        joins.append(f"left join hashes_{c.name} on checked.k_{c.name} = hashes_{c.name}.k")
    hashed = "".join(f", hashes_{c.name}.h as hash_{c.name}" for c in hashes)
    con.execute(
        f"create or replace temp table ready as select checked.*{hashed} from checked {' '.join(joins)}"
    )
    raw_cols, raw_vals = [], []
    for c in stored:
        raw_cols.append(c.name)
        raw_vals.append(f"t_{c.name}" if c.kind not in (EMAIL,) else f"nullif({_s(c)}, '')")
        if c.kind == EMAIL:
            raw_cols.append(f"{c.name}_valid")
            raw_vals.append(email_valid(c))
    for c in hashes:
        raw_cols.append(f"{c.name}_hash")
        raw_vals.append(f"hash_{c.name}")
    meta_cols = ["_source_file", "_file_sha256", "_line", "_run_id", "_loaded_at", "_exported_at"]
    meta_vals = ["$file", "$sha", "_line", "$run", "now()", "$exported"]
    params = {"file": file_name, "sha": sha, "run": run_id, "exported": exported_at}
    loaded = con.execute(
        f"insert into raw.{source.name} ({', '.join(raw_cols + meta_cols)}) "
        f"select {', '.join(raw_vals + meta_vals)} from ready where _failure is null",
        params,
    ).fetchone()[0]
    q_cols = [c.name for c in stored] + [f"{c.name}_hash" for c in hashes] + meta_cols
    q_vals = [f"v_{c.name}" for c in stored] + [f"hash_{c.name}" for c in hashes] + meta_vals
    personal = {c.header for c in source.columns if c.personal}
    value_of = " ".join(f"when '{c.header}' then {_s(c)}" for c in source.columns if c.header not in personal)
    message = (
        "'column ''' || split_part(_failure, '|', 2) || ''': ' || "
        + _reason_text_sql()
        + (
            f" || coalesce(' (value ''' || (case split_part(_failure, '|', 2) {value_of} end) || ''')', '')"
            if value_of
            else ""
        )
    )
    quarantined = con.execute(
        f"insert into quarantine.{source.name} ({', '.join(q_cols)}, _column, _reason, _message) "
        f"select {', '.join(q_vals)}, split_part(_failure, '|', 2), split_part(_failure, '|', 1), {message} "
        f"from ready where _failure is not null",
        params,
    ).fetchone()[0]
    # Records that do not even split into the header's fields: kept whole, with their line.
    positions = {h.strip().lower(): i for i, h in enumerate(parsed.header)}
    for line, text, values in parsed.malformed:
        row = {}
        for c in stored:
            pos = positions.get(c.header.lower())
            row[c.name] = values[pos] if pos is not None and pos < len(values) else None
        hashed = [
            _python_hash(con, c, row.get(c.name) if c.name in row else _value_at(values, positions, c))
            for c in hashes
        ]
        raw_record = parsed.delimiter.join(values)
        con.execute(
            f"insert into quarantine.{source.name} ({', '.join(q_cols)}, _raw_record, _column, _reason, _message) "
            f"values ({', '.join(['?'] * (len(q_cols) + 4))})",
            [row[c.name] for c in stored]
            + hashed
            + [file_name, sha, line, run_id, _now(con), exported_at]
            + [raw_record if source.keeps_raw_records else None, "", malformed_reason(text), text],
        )
        quarantined += 1
    kept_with_issue = _kept_with_issue(con, source)
    for statement in source.post_load:
        con.execute(statement, {"sha": sha})
    erased = privacy.sweep(con, run_id, sha, source.name)
    rows_erased = sum(erased.values())
    con.execute(
        f"insert into meta.quarantine_log select _run_id, '{source.name}', _source_file, _line, _column, _reason, "
        f"case _reason {' '.join(f'when {sql_literal(k)} then {sql_literal(v)}' for k, v in REASONS.items())} "
        f"else _reason end, _message "
        f"from quarantine.{source.name} where _file_sha256 = ?",
        [sha],
    )
    problems = [
        f"{file_name}:{line} {message}"
        for line, message in con.execute(
            f"select _line, _message from quarantine.{source.name} where _file_sha256 = ? order by _line limit 5",
            [sha],
        ).fetchall()
    ]
    for temp in ["checked", "ready", *(f"hashes_{c.name}" for c in hashes)]:
        con.execute(f"drop table if exists {temp}")
    return FileResult(
        source.name,
        file_name,
        sha,
        "loaded",
        rows_read=parsed.rows_read,
        rows_loaded=int(loaded),
        rows_quarantined=int(quarantined),
        rows_erased=rows_erased,
        problems=problems,
        kept_with_issue=kept_with_issue,
    )


def _kept_with_issue(con, source: Source) -> dict[str, int]:
    """Values the contract keeps the row for but cannot use: a year out of range, an unreadable yes/no,
    a malformed address. Counted for data quality, never silently dropped."""
    parts = []
    for c in source.columns:
        if c.kind in (YEAR, BOOL):
            parts.append(f"count(*) filter (where {_s(c)} <> '' and t_{c.name} is null) as \"{c.header}\"")
        elif c.kind == EMAIL:
            parts.append(f"count(*) filter (where {_s(c)} <> '' and not {email_valid(c)}) as \"{c.header}\"")
    if not parts:
        return {}
    row = con.execute(f"select {', '.join(parts)} from checked where _failure is null")
    names = [d[0] for d in row.description]
    return {name: int(value) for name, value in zip(names, row.fetchone(), strict=True) if value}


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reason_text_sql() -> str:
    cases = " ".join(f"when '{k}' then {sql_literal(v)}" for k, v in REASONS.items())
    return f"(case split_part(_failure, '|', 1) {cases} else split_part(_failure, '|', 1) end)"


def _value_at(values: list[str], positions: dict[str, int], c: Column) -> str | None:
    pos = positions.get(c.header.lower())
    return values[pos] if pos is not None and pos < len(values) else None


def _python_hash(con, c: Column, value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    if c.kind == EMAIL:
        return con.execute(
            "select case when regexp_full_match(lower(nfc_normalize(trim($v))), '[^@\\s]+@[^@\\s]+\\.[^@\\s.]+') "
            "then alumni_hmac(lower(nfc_normalize(trim($v)))) end",
            {"v": value},
        ).fetchone()[0]
    return con.execute("select alumni_hmac(upper(trim($v)))", {"v": value}).fetchone()[0]


def _now(con):
    return con.execute("select now()::timestamp").fetchone()[0]


def landing_files(landing: Path, source: Source) -> list[tuple[Path, str]]:
    """The source's files in landing/<folder>/, oldest export date first (then by name)."""
    folder = landing / source.folder
    # a linked folder is not read (unexpected_files reports it)
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        # symbolic links are listed (and rejected by load_file), never followed
        if (path.is_symlink() or path.is_file()) and source.pattern.match(path.name):
            found.append((date_in_name(path.name).group(0), path.name, path))
    return [(path, f"{source.folder}/{name}") for _, name, path in sorted(found)]


def tool_files(landing: Path, tool: str) -> list[tuple[Path, str]]:
    """Every file in landing/<tool>/ (the tools choose the names), registrations before check-ins, then by
    export time and name. Hidden files are ignored."""
    folder = landing / tool
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        found.append((_kind_order(path), export_time(path), path.name, path))
    return [(path, f"{tool}/{name}") for _, _, name, path in sorted(found)]


def _kind_order(path: Path) -> int:
    """Check-in lists and logs refer to the registrations of order exports: load those first. Read from the
    header line alone (a workbook is an order export: pretix writes check-in exports as CSV here)."""
    with path.open("rb") as handle:
        head = handle.read(4096).split(b"\n", 1)[0].lower()
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
        if not (path.is_symlink() or path.is_file()) or path.name.startswith("."):
            continue
        rel = path.relative_to(landing)
        folder = rel.parts[0] if len(rel.parts) > 1 else ""
        if folder in TOOLS and len(rel.parts) == 2:
            continue
        if folder not in known or not any(s.folder == folder and s.pattern.match(path.name) for s in SOURCES):
            out.append(rel.as_posix())
    return out

"""The DuckDB fast path for reading an export must give exactly the records, values and line numbers of the
csv module, or step aside. Every demo file and a set of awkward hand-made files are read both ways."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import staging
from pipelines.ingest.reading import PY_SPACE, open_export, sql_strip
from pipelines.ingest.sources import BY_NAME, SOURCES
from pipelines.ingest.staging import (
    _columns_from_fields,
    _fields_with_python,
    _space_beside_quote,
    _stage_with_duckdb,
    _stage_with_python,
    drop_staged,
    stage_records,
)
from pipelines.ingest.tools import TOOLS, read_tool_file
from tests.helpers import temp_objects


def _source_of(rel: str):
    folder, name = rel.split("/", 1)
    for source in SOURCES:
        if source.folder == folder and name.startswith(source.prefix + "_"):
            return source
    raise AssertionError(rel)


def _both_ways(path, source) -> tuple[bool, list, list, int, int]:
    """Read by DuckDB (if it takes the file) and by the csv module: whether DuckDB took it, each way's records
    (with their lines), and each way's count of records read. Where DuckDB took it, the malformed records
    (line, message, fields) must be the csv module's."""
    stat = path.stat()
    raw = path.read_bytes()
    con = duckdb.connect()
    try:
        fast_export = open_export(raw, source.headers, source.required_headers)
        fast = _stage_with_duckdb(con, source, fast_export, path, raw, stat)
        fast_rows = con.execute("select * from incoming order by _line").fetchall() if fast else []
        slow_export = open_export(raw, source.headers, source.required_headers)
        _stage_with_python(con, source, slow_export)
        slow_rows = con.execute("select * from incoming order by _line").fetchall()
        if fast:
            assert fast_export.malformed == slow_export.malformed, path.name
        else:
            assert fast_export.malformed == [], path.name  # nothing of a read DuckDB gave up stays behind
        # the records DuckDB refused (a person's data) are not kept
        assert not con.execute("select 1 from duckdb_tables() where table_name like '%reject%'").fetchall()
        return fast, fast_rows, slow_rows, fast_export.rows_read, slow_export.rows_read
    finally:
        con.close()


def test_every_demo_file_reads_the_same_both_ways(demo_small):
    root, truth = demo_small
    taken = 0
    for rel in truth["files"]:
        fast, fast_rows, slow_rows, fast_read, slow_read = _both_ways(root / "landing" / rel, _source_of(rel))
        if fast:
            taken += 1
            assert fast_rows == slow_rows, rel
            assert fast_read == slow_read, rel
    assert taken >= len(truth["files"]) // 3  # the big UTF-8 exports take it


TOOL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"
ACTIVITY_HEADER = "Kampagnen-ID;E-Mail;Aktion;Zeitpunkt;Link;User-Agent;Maschinell"


@pytest.mark.parametrize(
    ("name", "body", "expect_fast"),
    [
        ("plain", "C1;a@x.de;open;2024-01-01 10:00;;UA;\r\nC1;b@x.de;sent;2024-01-01 10:00;;;\r\n", True),
        ("quoted_delimiter", 'C1;a@x.de;open;2024-01-01 10:00;;"Mozilla (X; Y)";\n', True),
        ("doubled_quotes", 'C1;a@x.de;click;2024-01-01 10:00;"https://x/""q""";;\n', True),
        ("spaces_kept", "C1; A@X.DE ;open ;2024-01-01 10:00;;;\n", True),
        ("stray_quote", 'C1;a@x.de;open;2024-01-01 10:00;;Mozilla "beta";\n', None),
        ("quote_after_text", 'C1;a@x.de;open;2024-01-01 10:00;;"Mozilla" beta;\n', None),
        (
            "line_break_in_quotes",
            'C1;a@x.de;open;2024-01-01 10:00;;"two\nlines";\nC1;b@x.de;sent;x;;;\n',
            False,
        ),
        ("blank_line", "C1;a@x.de;open;2024-01-01 10:00;;;\n\nC1;b@x.de;sent;x;;;\n", False),
        ("blank_line_crlf", "C1;a@x.de;open;2024-01-01 10:00;;;\r\n\r\nC1;b@x.de;sent;x;;;\r\n", False),
        ("crlf_lines", "C1;a@x.de;open;2024-01-01 10:00;;;\r\nC1;b@x.de;sent;x;;;\r\n", True),
        # records with too few or too many fields on lines without a quote: DuckDB reads past them, and they are
        # the csv module's malformed records, with its lines and messages (LF lines and CRLF lines: DuckDB's byte
        # position of such a line is its start or a byte before or beyond it, _read_past_malformed)
        ("too_few_fields", "C1;a@x.de;open\nC1;b@x.de;sent;x;;;\n", True),
        ("too_many_fields", "C1;a@x.de;open;x;;;;extra\n", None),  # no good record: either way
        (
            "too_many_fields_among_good",
            "C1;a@x.de;open;x;;;\nC1;a@x.de;open;x;;;;extra\nC1;c@x.de;sent;x;;;\n",
            True,
        ),
        ("too_few_fields_crlf", "C1;a@x.de;open;x;;;\r\nC1;a@x.de;open\r\nC1;c@x.de;sent;x;;;\r\n", True),
        (
            "malformed_here_and_there",
            "C1;a@x.de;open;x;;;\nC1;b@x.de\nC1;b@x.de\n"
            + "C1;c@x.de;sent;x;;;\n" * 30
            + "C1;d\nC1;e@x.de;open;x;;;\n",
            True,
        ),
        ("malformed_last_line_unended", "C1;a@x.de;open;x;;;\nC1;b@x.de;open", True),
        # a malformed record that ends in the delimiter: not counted as one with an empty field too many
        ("too_few_fields_ending_in_delimiter", "C1;a@x.de;open;\nC1;b@x.de;sent;x;;;\n", True),
        ("empty_field_too_many_beside_a_malformed_one", "C1;a@x.de;open\nC1;b@x.de;open;x;;;;\n", False),
        (
            "empty_field_too_many_beside_a_malformed_one_ending_so",
            "C1;a@x.de;open;\nC1;b@x.de;open;x;;;;\n",
            False,
        ),
        # the count of records with a field too many cannot be made (DuckDB's reading of lines splits at a unit
        # separator): not a count of none
        ("unit_separator_beside_a_malformed_record", "C1;a@x.de;open;x;;;;\nC1;b\x1f@x.de;open;\n", False),
        (
            "unit_separator_in_an_empty_field_too_many",
            "C1;b@x.de;open;x;;;\nC1;a\x1f@x.de;open;x;;;;\n",
            False,
        ),
        (
            "quoted_good_records_around_a_malformed_one",
            'C1;"a@x.de";open;x;;"UA; 1";\nC1;b\nC1;"c";sent;x;;;\n',
            True,
        ),
        # a quote in a malformed record, a line of white space (a blank record to the csv module), a header's
        # width: left to the csv module
        ("malformed_with_a_quote", 'C1;a@x.de;open;x;;;\nC1;"b@x.de";open\n', False),
        ("white_space_line", "C1;a@x.de;open;x;;;\n   \nC1;b@x.de;sent;x;;;\n", False),
        ("mixed_line_ends", "C1;a@x.de;open\r\nC1;b@x.de;sent;x;;;\n", None),
        ("unterminated_quote", 'C1;a@x.de;open;x;;"UA;\n', None),
        ("bare_carriage_return", "C1;a@x.de;open;x;;;\rC1;b@x.de;sent;x;;;\n", False),
        # one empty field too many at the end: DuckDB's strict reader lets it through, the csv module does not
        ("empty_field_too_many", "C1;a@x.de;open;x;;;\nC1;a@x.de;open;x;;;;\n", False),
        ("empty_fields_at_the_end", 'C1;a@x.de;open;x;;;\n"C;1";"a@x.de";open;x;;;\n', True),
        # a space beside a quote: DuckDB drops it, the csv module keeps it (or splits the field there)
        ("space_after_quote", 'C1;a@x.de;open;x;;"UA" ;\n', False),
        ("space_before_quote", 'C1;a@x.de;open;x;; "UA;x";\n', False),
    ],
)
def test_awkward_files_read_the_same_or_take_the_csv_module(tmp_path, name, body, expect_fast):
    path = tmp_path / f"activity_{name}.csv"
    # a file of CRLF lines has a CRLF header too (a header's LF before them is a file of mixed line ends)
    header_end = "\r\n" if name.endswith("_crlf") else "\n"
    path.write_bytes((ACTIVITY_HEADER + header_end + body).encode("utf-8"))
    _read_the_same_or_by_the_csv_module(path, expect_fast)


@pytest.mark.parametrize(
    ("line_end", "bom", "encoding"),
    [("\n", "", "utf-8"), ("\r\n", "\ufeff", "utf-8"), ("\r\n", "", "cp1252")],
)
def test_a_large_file_is_read_past_its_malformed_records_as_the_csv_module_reads_them(
    tmp_path, line_end, bom, encoding
):
    """Some 14 MB (DuckDB reads it in parallel parts, and its byte positions of refused lines are off by one here
    and there, or not the file's where it transcodes Windows-1252 read as Latin-1): malformed records scattered
    over it, one that ends in the delimiter among them; then one more than DuckDB's reading past takes, which
    leaves the file to the csv module (and as many as it takes, which it reads past)."""
    records = [
        f"NL-{n % 40:04d};p{n}@x.de;open;2024-01-01T10:{n % 60:02d}:00;;Mozilla/5.0 (X11 {'Müller' * (n % 3)});"
        for n in range(180_000)
    ]
    for n, at in enumerate(range(7, len(records), 4_001)):
        records[at] = f"NL-1;q{at}@x.de;open" if n % 3 else f"NL-1;q{at}@x.de;open;x;;;;extra;"
    path = tmp_path / "activity_large.csv"
    path.write_bytes((bom + ACTIVITY_HEADER + line_end + line_end.join(records) + line_end).encode(encoding))
    read_as = "utf-8-sig" if bom else encoding
    assert open_export(path.read_bytes(), [], []).encoding == read_as
    rows = _read_the_same_or_by_the_csv_module(path, True)
    assert len(rows) == 180_000 - 45
    assert rows[7][-1] == 10  # the first malformed record on line 9: the good record after it on line 10

    for n in range(staging.MALFORMED_READ_PAST - 45):  # as many as DuckDB's reading past takes
        records[8 + 2 * n] = "NL-1;r@x.de"
    path.write_bytes((bom + ACTIVITY_HEADER + line_end + line_end.join(records) + line_end).encode(encoding))
    assert len(_read_the_same_or_by_the_csv_module(path, True)) == 180_000 - staging.MALFORMED_READ_PAST
    records[-1] = "NL-1;s@x.de"  # one more
    path.write_bytes((bom + ACTIVITY_HEADER + line_end + line_end.join(records) + line_end).encode(encoding))
    _read_the_same_or_by_the_csv_module(path, False)


def test_the_records_duckdb_refuses_are_kept_in_temporary_tables_only(tmp_path):
    """DuckDB keeps the records it reads past in tables of the connection (`store_rejects`): temporary ones, never
    in the warehouse's file (a person's record deleted there would stay in its bytes), and dropped at once."""
    path = tmp_path / "activity_refused.csv"
    path.write_bytes(f"{ACTIVITY_HEADER}\nC1;a@x.de;open;x;;;\nC1;refused.person@x.de;open\n".encode())
    con = duckdb.connect()
    con.execute(f"attach '{tmp_path / 'warehouse.duckdb'}' as warehouse")
    con.execute("use warehouse")  # as the ingest's connection (pipelines/settings.py, attach_warehouse)
    seen = []

    class Watching:  # what tables hold the refused records when they are about to be dropped
        def execute(self, sql, *args):
            if sql.startswith("drop table if exists incoming_reject"):
                seen.extend(
                    con.execute(
                        "select table_name, database_name, temporary from duckdb_tables() "
                        "where table_name like 'incoming_reject%'"
                    ).fetchall()
                )
            return con.execute(sql, *args)

    source, raw = BY_NAME["newsletter_activity"], path.read_bytes()
    export = open_export(raw, source.headers, source.required_headers)
    assert _stage_with_duckdb(Watching(), source, export, path, raw, path.stat())
    assert [line for line, _, _ in export.malformed] == [3]
    assert {(name, database, temporary) for name, database, temporary in seen} == {
        ("incoming_rejects", "temp", True),
        ("incoming_reject_scans", "temp", True),
    }
    assert not con.execute(
        "select 1 from duckdb_tables() where table_name like 'incoming_reject%'"
    ).fetchall()
    con.close()


@pytest.mark.parametrize(
    "raw", [b"", b"\n", b"\r\n\r\n", b"a", b"a\n", b"a;b\r\n", b"a\r", b"a\n\r\n\n", b"\na"]
)
def test_the_content_ends_where_a_strip_of_the_last_line_ends_ends(raw):
    # found without the copy a strip makes of the whole file
    assert staging._content_end(raw) == len(raw.rstrip(b"\r\n"))


def test_a_bare_carriage_return_is_found_as_a_copy_without_the_pairs_finds_it():
    # counted, not copied: every text of up to seven of the bytes that matter, against the copy it replaced
    for length in range(8):
        for raw in map(bytes, itertools.product(b"\r\na", repeat=length)):
            assert staging._bare_carriage_return(raw) == (b"\r" in raw.replace(b"\r\n", b"")), raw


def test_a_line_ending_in_the_delimiter_is_found_in_either_order_of_the_searches():
    # CRLF asked first: every text of up to seven of the bytes that matter, against the order it replaced
    for length in range(8):
        for raw in map(bytes, itertools.product(b";\r\na", repeat=length)):
            before = (
                b";\n" in raw
                or (b"\r" in raw and b";\r\n" in raw)
                or raw.endswith(b";", 0, len(raw.rstrip(b"\r\n")))
            )
            assert staging._ends_a_line(raw, ";") == before, raw


def test_a_file_of_carriage_return_lines_is_read_by_the_csv_module(tmp_path):
    """Classic Mac line ends, the header's too: the delimiter is found in the header as the reader reads it
    (before, the header's search for a delimiter failed on the carriage return and stopped the run)."""
    path = tmp_path / "activity_cr.csv"
    path.write_bytes(f"{ACTIVITY_HEADER}\rC1;a@x.de;open;x;;;\rC1;b@x.de;sent;x;;;\r".encode())
    rows = _read_the_same_or_by_the_csv_module(path, False)
    assert len(rows) == 2


def _read_the_same_or_by_the_csv_module(path, expect_fast: bool | None) -> list:
    """An activity export read both ways: by DuckDB as `expect_fast` says (None: either way), with the csv
    module's records where it is; the csv module's records."""
    fast, fast_rows, slow_rows, fast_read, slow_read = _both_ways(path, BY_NAME["newsletter_activity"])
    if expect_fast is not None:
        assert fast == expect_fast
    if fast:
        assert fast_rows == slow_rows
        assert fast_read == slow_read
    else:  # stepped aside: the file is read by the csv module (every case has a record)
        assert slow_read >= 1
    return slow_rows


@pytest.mark.parametrize(
    ("name", "body", "expect_fast"),
    [
        # umlauts, ß, a no-break space, « »: bytes 0xA0-0xFF, the same characters in Latin-1
        ("umlauts", "C1;müller@x.de;open;x;;Straße\xa0«Ä»;\r\nC1;öß@x.de;sent;x;;;\r\n", True),
        ("quoted", 'C1;jäger@x.de;click;x;"https://x/ä;ö";;\n', True),
        # the bytes 0x80-0x9F are other characters in Windows-1252 (€, „, “, –) than in Latin-1
        ("euro", "C1;a@x.de;open;x;;Spende 5 €;\n", False),
        ("german_quotes", "C1;a@x.de;open;x;;„Mozilla“;\n", False),
        ("dash_in_one_record_of_many", "C1;ä@x.de;open;x;;;\n" * 50 + "C1;b@x.de;open;x;;a – b;\n", False),
        # the check for one empty field too many reads the file in the same encoding
        ("empty_field_too_many", "C1;ä@x.de;open;x;;;\nC1;ö@x.de;open;x;;;;\n", False),
        # malformed records read past, found in the file's bytes by their lines (DuckDB transcodes Latin-1)
        ("too_few_fields", "C1;ä@x.de;open;x;;Straße;\nC1;ö@x.de;öffnen\nC1;ü@x.de;sent;x;;;\n", True),
        (
            "too_many_fields_after_umlauts",
            "C1;ääää@x.de;open;x;;;\n" * 20 + "C1;ß@x.de;open;x;;;;ä\nC1;b;sent;x;;;\n",
            True,
        ),
        ("stray_quote", 'C1;ä@x.de;open;x;;Mozilla "beta";\n', None),
    ],
)
def test_windows_1252_reads_the_same_by_duckdb_where_it_is_latin_1(tmp_path, name, body, expect_fast):
    path = tmp_path / f"activity_cp1252_{name}.csv"
    path.write_bytes((ACTIVITY_HEADER + "\n" + body).encode("cp1252"))
    assert open_export(path.read_bytes(), [], []).encoding == "cp1252"
    rows = _read_the_same_or_by_the_csv_module(path, expect_fast)
    # the csv module decodes Windows-1252: €, „ and “ stay what they were
    kept = {"euro": "Spende 5 €", "german_quotes": "„Mozilla“", "umlauts": "Straße\xa0«Ä»"}
    if name in kept:
        assert kept[name] in {row[5] for row in rows}


def test_a_file_rewritten_after_it_was_hashed_stages_the_hashed_bytes(tmp_path):
    # the ledger records the sha256 of `raw`: rows read by DuckDB from a file rewritten since must not load
    source = BY_NAME["newsletter_activity"]
    path = tmp_path / "activity.csv"
    path.write_bytes(f"{ACTIVITY_HEADER}\nC1;a@x.de;open;2024-01-01 10:00;;;\n".encode())
    stat = path.stat()
    raw = path.read_bytes()
    path.write_bytes(f"{ACTIVITY_HEADER}\nC2;b@x.de;sent;2024-02-01 10:00;;;\n".encode())
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    con = duckdb.connect()
    try:
        stage_records(con, source, open_export(raw, source.headers, source.required_headers), path, raw, stat)
        assert con.execute("select v_campaign_id, _line from incoming").fetchall() == [("C1", 2)]
    finally:
        con.close()


def test_the_staged_records_are_a_view_of_the_read_fields_not_a_copy(tmp_path):
    """`incoming` is a view of the one table a reader filled (DuckDB's fields, or the csv module's records):
    the rules read the records once, through it, instead of from a second copy. Both readers give the same
    records and lines through it, and `drop_staged` leaves nothing of either."""
    source = BY_NAME["newsletter_activity"]
    path = tmp_path / "activity.csv"
    path.write_bytes(
        f"{ACTIVITY_HEADER}\nC1;a@x.de;open;2024-01-01 10:00;;;\nC2;b@x.de;sent;2024-02-01 10:00;;;\n".encode()
    )
    raw = path.read_bytes()
    con = duckdb.connect()
    try:
        export = open_export(raw, source.headers, source.required_headers)
        assert _stage_with_duckdb(con, source, export, path, raw, path.stat())
        assert temp_objects(con) == (["incoming_csv"], ["incoming"])
        fast = con.execute("select v_campaign_id, v_email, _line from incoming order by _line").fetchall()
        assert fast == [("C1", "a@x.de", 2), ("C2", "b@x.de", 3)]
        drop_staged(con)
        assert temp_objects(con) == ([], [])
        _stage_with_python(con, source, open_export(raw, source.headers, source.required_headers))
        assert temp_objects(con) == (["incoming_rows"], ["incoming"])
        assert (
            con.execute("select v_campaign_id, v_email, _line from incoming order by _line").fetchall()
            == fast
        )
        drop_staged(con)
        assert temp_objects(con) == ([], [])
    finally:
        con.close()


# ------------------------------------------------------------------------------------------- the tools' exports


def _tool_both_ways(tool: str, path) -> tuple[bool, list, list, int, int]:
    """A tool's export staged as the loader does (DuckDB's reader where it may) and by the csv module alone."""
    raw = path.read_bytes()
    con = duckdb.connect()
    try:
        fast_found = read_tool_file(tool, path, raw)
        deferred = fast_found.export.read_later is not None
        stage_records(con, fast_found.source, fast_found.export, path, raw, path.stat())
        fast = deferred and fast_found.export.read_later is not None  # not read by the csv module after all
        fast_rows = con.execute("select * from incoming order by _line").fetchall()
        slow_found = read_tool_file(tool, path, raw)
        _fields_with_python(con, slow_found.export.read())
        _columns_from_fields(con, slow_found.source, slow_found.export, "_line")
        slow_rows = con.execute("select * from incoming order by _line").fetchall()
        return fast, fast_rows, slow_rows, fast_found.export.rows_read, slow_found.export.rows_read
    finally:
        con.close()


def test_every_demo_tool_export_reads_the_same_both_ways(demo_small):
    root, _ = demo_small
    files = [(tool, p) for tool in TOOLS for p in sorted((root / "landing" / tool).glob("*")) if p.is_file()]
    # the tools' own examples (TOOLS.md), which have rows in every kind
    files += [(p.name.split("_", 1)[0], p) for p in sorted(TOOL_FIXTURES.glob("*.csv"))]
    taken = 0
    for tool, path in files:
        fast, fast_rows, slow_rows, fast_read, slow_read = _tool_both_ways(tool, path)
        taken += fast
        assert fast_rows == slow_rows, path.name
        assert fast_read == slow_read, path.name
    assert taken >= 8  # the UTF-8 CSV examples of pretix, listmonk and Mautic take it


POSITIONS_HEADER = (
    "Event slug,Order code,Position ID,Status,Email,Attendee email,Order date,Order time,Product"
)


@pytest.mark.parametrize(
    ("name", "body", "expect_fast"),
    [
        ("plain", "fest,KX3PQ,1,p,a@x.de,,2024-05-02,18:41:07,Ticket\n", True),
        # the derived columns strip as Python does: also no-break and ideographic spaces, tabs
        ("spaces", "\u00a0fest\t, KX3PQ ,1 ,p,a@x.de,\u3000 ,2024-05-02, ,Ticket\n", True),
        ("no_slug_no_email", ",KX3PQ,1,p,,,,,Ticket\n", True),
        ("attendee_wins", "fest,KX3PQ,1,p,a@x.de,b@x.de,2024-05-02,18:41,Ticket\n", True),
        # a record of nothing but delimiters is skipped by the tools' reader: not a record of empty values
        ("blank_record", "fest,KX3PQ,1,p,a@x.de,,2024-05-02,18:41,T\n,,,,,,,,\nfest,LM,1,p,,,,,T\n", False),
        ("blank_quoted_record", 'fest,KX3PQ,1,p,,,,,T\n"",  ,,,,,,,\n', False),
        # trailing empty fields beyond the header are dropped by the tools' reader
        ("trailing_empty_fields", "fest,KX3PQ,1,p,a@x.de,,2024-05-02,18:41,T,,\n", None),
        ("trailing_field", "fest,KX3PQ,1,p,a@x.de,,2024-05-02,18:41,T,x\n", False),
        ("too_few_fields", "fest,KX3PQ,1\nfest,LM,1,p,,,,,T\n", False),
        ("line_break_in_quotes", 'fest,KX3PQ,1,p,,,,,"two\nlines"\n', False),
        ("quote_in_slug", "fe'st,KX3PQ,1,p,,,,,T\n", True),
        ("space_beside_quotes", 'fest,"KX3PQ" ,1,p,,,,,T\nfest, "LM,7",1,p,,,,,T\n', False),
    ],
)
def test_awkward_tool_exports_read_the_same_or_take_the_csv_module(tmp_path, name, body, expect_fast):
    path = tmp_path / f"fest_orders_{name}.csv"
    path.write_bytes((POSITIONS_HEADER + "\n" + body).encode("utf-8"))
    fast, fast_rows, slow_rows, fast_read, slow_read = _tool_both_ways("pretix", path)
    if expect_fast is not None:  # None: either way, as long as the records are the same
        assert fast == expect_fast
    assert fast_rows == slow_rows
    assert fast_read == slow_read


def test_the_slug_comes_from_the_file_name_in_both_ways(tmp_path):
    path = tmp_path / "o'fest_orders_2024-05-05.csv"
    path.write_bytes(b"Order code,Position ID,Status,Email\nKX3PQ,1,p,a@x.de\n")
    fast, fast_rows, slow_rows, *_ = _tool_both_ways("pretix", path)
    assert fast and fast_rows == slow_rows
    assert fast_rows[0][0] == "o'fest"  # event_ref: the name's slug, quoted safely into the SQL


def test_python_white_space_is_what_the_sql_strips():
    con = duckdb.connect()
    chars = [chr(c) for c in range(1, 0x3100) if not 0xD800 <= c < 0xE000]
    matched = con.execute(
        f"select list(c) from unnest(?) as t(c) where regexp_full_match(c, '{PY_SPACE}')", [chars]
    ).fetchone()[0]
    assert set(matched) == {c for c in chars if c.isspace()}
    value = "\u00a0\t a b \u3000\r\n"
    assert con.execute(f"select {sql_strip('?')}", [value]).fetchone()[0] == value.strip()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"a;b\n",
        b'"',
        b'" ',
        b' "',
        b'"a" ',
        b' "a"',
        b'a;"b c";d\n',
        b'"a";"b"\n',
        b'x;\t"a"\n',
        b'""',
        b'caf\xc3\xa9 "x"',  # UTF-8 before the space
        b'\xa0"\xa0',  # Latin-1's no-break space is not a space here: DuckDB's rule is about 0x20 alone
    ],
)
def test_a_space_beside_a_quote_is_found_as_a_search_for_the_pairs_finds_it(raw):
    # the quotes' neighbours, first and last byte included, against the plain search it replaced
    assert _space_beside_quote(raw) == (b'"' in raw and (b' "' in raw or b'" ' in raw))


def test_a_space_beside_a_quote_is_found_across_the_slices(monkeypatch):
    # slices of two bytes: every quote and every neighbour on some slice's edge, for every text of up to
    # seven of the three bytes that matter
    monkeypatch.setattr(staging, "QUOTE_SLICE", 2)
    for length in range(8):
        for raw in map(bytes, itertools.product(b' "a', repeat=length)):
            assert staging._space_beside_quote(raw) == (b'"' in raw and (b' "' in raw or b'" ' in raw)), raw


def test_a_name_with_glob_characters_is_read_as_that_file_only(tmp_path):
    # DuckDB reads a path as a pattern: `a[b]` would match `ab` and load another file's rows under this name
    source = BY_NAME["newsletter_activity"]
    path = tmp_path / "activity_a[b].csv"
    path.write_bytes(f"{ACTIVITY_HEADER}\nREAL;a@x.de;open;2024-01-01 10:00;;;\n".encode())
    (tmp_path / "activity_ab.csv").write_bytes(
        f"{ACTIVITY_HEADER}\nOTHER;b@x.de;sent;2024-02-01 10:00;;;\n".encode()
    )
    fast, fast_rows, slow_rows, *_ = _both_ways(path, source)
    assert not fast
    assert [row[0] for row in slow_rows] == ["REAL"]
    tool = tmp_path / "a[b]_orders.csv"
    tool.write_bytes(f"{POSITIONS_HEADER}\nfest,REAL,1,p,,,,,T\n".encode())
    (tmp_path / "ab_orders.csv").write_bytes(f"{POSITIONS_HEADER}\nfest,OTHER,9,p,,,,,T\n".encode())
    fast, fast_rows, slow_rows, *_ = _tool_both_ways("pretix", tool)
    assert not fast and fast_rows == slow_rows
    assert "REAL" in fast_rows[0]

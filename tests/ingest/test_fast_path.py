"""The DuckDB fast path for reading an export must give exactly the records, values and line numbers of the
csv module, or step aside. Every demo file and a set of awkward hand-made files are read both ways."""

from __future__ import annotations

import os

import duckdb
import pytest

from pipelines.ingest.reading import open_export
from pipelines.ingest.sources import BY_NAME, SOURCES
from pipelines.ingest.staging import _stage_with_duckdb, _stage_with_python, stage_records


def _source_of(rel: str):
    folder, name = rel.split("/", 1)
    for source in SOURCES:
        if source.folder == folder and name.startswith(source.prefix + "_"):
            return source
    raise AssertionError(rel)


def _both_ways(path, source) -> tuple[bool, list, list, int, int]:
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
        ("too_few_fields", "C1;a@x.de;open\nC1;b@x.de;sent;x;;;\n", False),
        ("too_many_fields", "C1;a@x.de;open;x;;;;extra\n", False),
        ("unterminated_quote", 'C1;a@x.de;open;x;;"UA;\n', None),
        ("bare_carriage_return", "C1;a@x.de;open;x;;;\rC1;b@x.de;sent;x;;;\n", False),
    ],
)
def test_awkward_files_read_the_same_or_take_the_csv_module(tmp_path, name, body, expect_fast):
    path = tmp_path / f"activity_{name}.csv"
    path.write_bytes((ACTIVITY_HEADER + "\n" + body).encode("utf-8"))
    fast, fast_rows, slow_rows, fast_read, slow_read = _both_ways(path, BY_NAME["newsletter_activity"])
    if expect_fast is not None:  # None: either way, as long as the records are the same
        assert fast == expect_fast
    if fast:
        assert fast_rows == slow_rows
        assert fast_read == slow_read
    else:  # stepped aside: the file is read by the csv module (every case has a record)
        assert slow_read >= 1


def test_windows_1252_takes_the_csv_module(tmp_path):
    path = tmp_path / "activity_cp1252.csv"
    path.write_bytes((ACTIVITY_HEADER + "\nC1;müller@x.de;open;x;;;\n").encode("cp1252"))
    fast, *_ = _both_ways(path, BY_NAME["newsletter_activity"])
    assert not fast


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

"""The operator's everyday mistakes (issue 11): each ends in a clear message, none blocks the rest, nothing of
a file's personal content leaves warehouse.duckdb."""

from __future__ import annotations

from tests.helpers import ingest_all, query, write_export
from tests.ingest.test_loader import CAMPAIGNS, MEMBERS, REPORTS, member


def ledger(data_dir) -> dict[str, tuple[str, str]]:
    return {
        name: (status, reason)
        for name, status, reason in query(
            data_dir, "select file_name, status, reason from meta.ingested_files"
        )
    }


def quarantine(data_dir, source: str) -> list[tuple]:
    return query(
        data_dir,
        f"select _line, _reason, _message from quarantine.{source} order by _line",
    )


# ------------------------------------------------------------------------------------- reading (item 4, 6)


def test_a_file_without_its_header_row_is_rejected_without_quoting_its_first_line(data_dir):
    rows = [member("A-000001", "erika.muster@example.org"), member("A-000002", "hans@example.org")]
    path = write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, rows)
    path.write_bytes(path.read_bytes().split(b"\n", 1)[1])  # the header row is missing
    ingest_all(data_dir)
    status, reason = ledger(data_dir)["members/members_2024-01-15.csv"]
    assert status == "rejected" and reason.startswith("missing_required_header")
    for personal in ("A-000001", "erika", "Max", "Muster", "Chemnitz"):
        assert personal.lower() not in reason.lower()
    assert "Mitgliedsnummer" in reason  # what was expected is named


def test_known_header_names_are_still_shown_when_a_required_one_is_missing(data_dir):
    write_export(data_dir.landing / "members/members_2024-01-15.csv", ["Vorname", "Nachname"], [["a", "b"]])
    ingest_all(data_dir)
    _, reason = ledger(data_dir)["members/members_2024-01-15.csv"]
    assert "Vorname, Nachname" in reason


def test_empty_files_are_rejected_as_empty_not_as_duplicates(data_dir):
    folder = data_dir.landing / "members"
    folder.mkdir(parents=True)
    (folder / "members_2024-01-15.csv").write_bytes(b"")
    (folder / "members_2024-02-15.csv").write_bytes(b"")
    (folder / "members_2024-03-15.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    ingest_all(data_dir)
    rows = ledger(data_dir)
    assert len(rows) == 3
    for status, reason in rows.values():
        assert status == "rejected" and reason.startswith("empty_file"), reason


def test_utf16_with_bom_tab_or_semicolon_separated_is_read(data_dir):
    rows = [member("A-000001", "müller@x.de"), member("A-000002")]
    rows[0][2] = "Müller-Weiß"
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv",
        MEMBERS,
        rows,
        encoding="utf-16",
        delimiter="\t",
        newline="\r\n",
    )
    write_export(
        data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, rows, encoding="utf-16", delimiter=";"
    )
    ingest_all(data_dir)
    rows_ = query(
        data_dir,
        "select file_name, status, encoding, delimiter, rows_loaded from meta.ingested_files order by 1",
    )
    assert rows_ == [
        ("members/members_2024-01-15.csv", "loaded", "utf-16", "\t", 2),
        ("members/members_2024-02-15.csv", "loaded", "utf-16", ";", 2),
    ]
    assert query(data_dir, "select distinct last_name from raw.members where member_id = 'A-000001'") == [
        ("Müller-Weiß",)
    ]


def test_a_nul_byte_quarantines_its_row_only(data_dir):
    rows = [member(f"A-00000{i}") for i in range(1, 5)]
    path = write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, rows)
    path.write_bytes(path.read_bytes().replace(b"A-000003;Max", b"A-000003;M\x00ax"))
    ingest_all(data_dir)
    assert ledger(data_dir)["members/members_2024-01-15.csv"][0] == "loaded"
    assert query(data_dir, "select rows_read, rows_loaded, rows_quarantined from meta.ingested_files") == [
        (4, 3, 1)
    ]
    [(line, reason, message)] = quarantine(data_dir, "members")
    assert (line, reason) == (4, "nul_byte")
    assert "NUL" in message


def test_an_unbalanced_quote_is_reported_with_the_lines_it_spans(data_dir):
    rows = [
        ["B1", "C1", "01.01.2024", "Clubtreffen", "1", "5", "", "fine"],
        ["B2", "C1", "02.01.2024", "Clubtreffen", "1", "5", "", '"forgot to close'],
        ["B3", "C1", "03.01.2024", "Clubtreffen", "1", "5", "", "swallowed"],
        ["B4", "C1", "04.01.2024", "Clubtreffen", "1", "5", "", 'closes here"'],
        ["B5", "C1", "05.01.2024", "Clubtreffen", "1", "5", "", "fine"],
    ]
    write_export(
        data_dir.landing / "clubs/clubs_2024-01-01.csv",
        ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"],
        [["C1", "Club", "Chemnitz", "DE", "01.01.2010", "", "aktiv"]],
    )
    write_export(data_dir.landing / "clubs/activities_2024-01-31.csv", REPORTS, rows)
    ingest_all(data_dir)
    assert query(data_dir, "select report_id from raw.club_activities order by 1") == [("B1",), ("B5",)]
    [(line, reason, message)] = quarantine(data_dir, "club_activities")
    assert (line, reason) == (3, "unbalanced_quote")
    assert "lines 3-5" in message
    assert query(data_dir, "select reason_code from meta.quarantine_log") == [("unbalanced_quote",)]


def test_a_quoted_multi_line_note_is_still_one_record(data_dir):
    write_export(
        data_dir.landing / "newsletter/campaigns_2024-01-31.csv",
        CAMPAIGNS,
        [
            ["C1", '"zwei\nZeilen"', "Neuigkeiten", "01.01.2024 10:00", "de"],
            ["C2", "x", "Karriere", "02.01.2024 10:00", "de"],
        ],
    )
    ingest_all(data_dir)
    assert query(data_dir, "select count(*) from raw.newsletter_campaigns") == [(2,)]

"""The operator's everyday mistakes (issue 11): each ends in a clear message, none blocks the rest, nothing of
a file's personal content leaves warehouse.duckdb."""

from __future__ import annotations

import subprocess
import sys
import unittest.mock
from pathlib import Path

import pytest

from pipelines.ingest import connect, ingest_source
from pipelines.ingest.sources import BY_NAME
from tests.helpers import ingest_all, query, temp_objects, write_export
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


def test_a_utf8_members_export_with_a_row_added_in_windows_1252_loads_without_mojibake(data_dir):
    path = write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    added = member("A-000002")
    added[8] = "Würzburg"
    path.write_bytes(path.read_bytes() + (";".join(added) + "\r\n").encode("cp1252"))
    ingest_all(data_dir)
    assert query(data_dir, "select member_id, faculty, city from raw.members order by 1") == [
        ("A-000001", "INF", "Chemnitz"),
        ("A-000002", "INF", "Würzburg"),
    ]
    assert query(data_dir, "select encoding from meta.ingested_files") == [("utf-8+cp1252",)]


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


# ------------------------------------------------------------------------------------- dates (item 2)

DONATIONS_HEADER = ["Spenden-ID", "Mitgliedsnummer", "E-Mail", "Datum", "Betrag", "Zweck"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("members_2020-13-45.csv", "invalid_file_date"),
        ("members_9999-12-31.csv", "implausible_file_date"),
        ("members_0001-01-01.csv", "implausible_file_date"),
    ],
)
def test_a_file_name_date_that_cannot_be_right_rejects_the_file(data_dir, name, reason):
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    write_export(data_dir.landing / f"members/{name}", MEMBERS, [member("A-000001"), member("A-000002")])
    ingest_all(data_dir, "run-1")
    status, text = ledger(data_dir)[f"members/{name}"]
    assert status == "rejected" and text.startswith(reason), text
    assert query(data_dir, "select distinct _source_file from raw.members") == [
        ("members/members_2024-01-15.csv",)
    ]
    results = ingest_all(data_dir, "run-2")  # stays rejected, once
    assert [r.status for r in results["members"]] == ["skipped", "skipped"]
    assert query(data_dir, "select count(*) from meta.ingested_files") == [(2,)]


def _ingest_as_a_run_does(data_dir, run_id: str) -> None:
    """Every source, then the files that match none (the ingest step's order)."""
    from pipelines.ingest import record_unrecognised

    ingest_all(data_dir, run_id)
    con = connect(data_dir)
    try:
        record_unrecognised(con, data_dir, run_id)
    finally:
        con.close()


@pytest.mark.parametrize(
    "wrong",
    ["members 2024-01-15.csv", "members_9999-12-31.csv", "members_2024-13-15.csv"],
)
def test_a_file_rejected_for_its_name_loads_once_renamed(data_dir, wrong):
    """The remedy a name's rejection names (a right name) loads the file: the same bytes were never read, so they
    are no duplicate of what was rejected."""
    write_export(data_dir.landing / f"members/{wrong}", MEMBERS, [member("A-000001"), member("A-000002")])
    _ingest_as_a_run_does(data_dir, "run-1")
    assert ledger(data_dir)[f"members/{wrong}"][0] == "rejected"
    (data_dir.landing / f"members/{wrong}").rename(data_dir.landing / "members/members_2024-01-15.csv")
    _ingest_as_a_run_does(data_dir, "run-2")
    assert ledger(data_dir)["members/members_2024-01-15.csv"] == ("loaded", "")
    assert query(data_dir, "select count(*) from raw.members") == [(2,)]


def test_a_file_rejected_for_its_content_stays_rejected_under_another_name(data_dir):
    rows = [["S1", "A-000001", "", "01.01.2024", "20.000.000,00", ""]]
    write_export(data_dir.landing / "donations/donations_2024-01-31.csv", DONATIONS_HEADER, rows)
    ingest_all(data_dir, "run-1")
    assert ledger(data_dir)["donations/donations_2024-01-31.csv"][0] == "rejected"
    (data_dir.landing / "donations/donations_2024-01-31.csv").rename(
        data_dir.landing / "donations/donations_2024-02-01.csv"
    )
    ingest_all(data_dir, "run-2")
    assert ledger(data_dir)["donations/donations_2024-02-01.csv"][0] == "duplicate"
    assert query(data_dir, "select count(*) from raw.donations") == [(0,)]


def test_member_ids_that_differ_in_case_only_are_one_id_and_the_second_is_quarantined(data_dir):
    rows = [member("A-000001", "a@x.de"), member("a-000001 ", "b@x.de"), member("A-000002", "c@x.de")]
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, rows)
    ingest_all(data_dir)
    assert ledger(data_dir)["members/members_2024-01-15.csv"] == ("loaded", "")
    assert query(data_dir, "select member_id from raw.members order by 1") == [("A-000001",), ("A-000002",)]
    assert [(line, reason) for line, reason, _ in quarantine(data_dir, "members")] == [(3, "duplicate_id")]


def test_values_outside_1900_to_two_years_ahead_are_quarantined(data_dir):
    rows = [
        member("A-000001", registered="01.01.0001"),
        member("A-000002", registered="9999-12-31"),
        member("A-000003", registered="31.12.1899"),
        member("A-000004", registered="01.01.1900"),
        member("A-000005", registered="15.03.2024"),
    ]
    write_export(data_dir.landing / "members/members_2024-04-15.csv", MEMBERS, rows)
    write_export(
        data_dir.landing / "donations/donations_2024-04-15.csv",
        DONATIONS_HEADER,
        [
            ["S1", "A-000005", "", "01.01.0001", "10,00", "Sonstiges"],
            ["S2", "A-000005", "", "01.04.2024", "5", ""],
        ],
    )
    ingest_all(data_dir)
    assert query(data_dir, "select member_id from raw.members order by 1") == [("A-000004",), ("A-000005",)]
    assert [(line, reason) for line, reason, _ in quarantine(data_dir, "members")] == [
        (2, "implausible_date"),
        (3, "implausible_date"),
        (4, "implausible_date"),
    ]
    assert "Registriert am" in quarantine(data_dir, "members")[0][2]
    assert [r for _, r, _ in quarantine(data_dir, "donations")] == ["implausible_date"]


# ------------------------------------------------------------------------------------- landing entries (item 4)


def test_a_symbolic_link_in_landing_is_rejected_not_followed(data_dir, tmp_path):
    secret = tmp_path / "outside.csv"
    write_export(secret, MEMBERS, [member("A-000099", "secret@example.org")])
    folder = data_dir.landing / "members"
    folder.mkdir(parents=True)
    (folder / "members_2024-01-15.csv").symlink_to(secret)
    (data_dir.landing / "passwd").symlink_to("/etc/passwd")
    write_export(folder / "members_2024-02-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir)
    from pipelines.ingest import connect, record_unrecognised

    con = connect(data_dir)
    try:
        record_unrecognised(con, data_dir, "run-1")
    finally:
        con.close()
    rows = ledger(data_dir)
    assert rows["members/members_2024-01-15.csv"][0] == "rejected"
    assert rows["members/members_2024-01-15.csv"][1].startswith("symbolic_link")
    assert rows["passwd"][1].startswith("symbolic_link")
    assert rows["members/members_2024-02-15.csv"][0] == "loaded"
    assert query(data_dir, "select member_id from raw.members") == [("A-000001",)]


def test_a_linked_source_folder_is_rejected_not_read(data_dir, tmp_path):
    outside = tmp_path / "outside"
    write_export(outside / "members_2024-01-15.csv", MEMBERS, [member("A-000099", "secret@example.org")])
    data_dir.landing.mkdir(parents=True)
    (data_dir.landing / "members").symlink_to(outside, target_is_directory=True)
    ingest_all(data_dir)
    from pipelines.ingest import connect, record_unrecognised

    con = connect(data_dir)
    try:
        record_unrecognised(con, data_dir, "run-1")
    finally:
        con.close()
    assert ledger(data_dir) == {"members": ("rejected", ledger(data_dir)["members"][1])}
    assert ledger(data_dir)["members"][1].startswith("symbolic_link")
    assert query(data_dir, "select count(*) from raw.members") == [(0,)]
    assert query(data_dir, "select count(*) from quarantine.members") == [(0,)]


def test_a_symbolic_link_in_a_tool_folder_is_rejected_unread_dangling_or_not(data_dir, tmp_path):
    """As in the canonical folders: listed, rejected, never opened (a dangling link too, which the tool folders
    once passed over without a word, and a live one, which was opened to see what kind of export it is)."""
    from pipelines.ingest import ingest_tool
    from pipelines.ingest.landing import tool_files

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "tools"
    outside = tmp_path / "outside.csv"
    outside.write_bytes((fixtures / "pretix_checkinlog_en.csv").read_bytes())
    folder = data_dir.landing / "pretix"
    folder.mkdir(parents=True)
    (folder / "dangling_2024-05-05.csv").symlink_to(tmp_path / "gone.csv")
    (folder / "linked_2024-05-05.csv").symlink_to(outside)
    opened = []
    real_open = Path.open

    def watched_open(self, *args, **kwargs):
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    with unittest.mock.patch.object(Path, "open", watched_open):
        listed = [name for _, name in tool_files(data_dir.landing, "pretix")]
    assert sorted(listed) == ["pretix/dangling_2024-05-05.csv", "pretix/linked_2024-05-05.csv"]
    assert opened == []
    con = connect(data_dir)
    try:
        results = {r.file_name: r for r in ingest_tool(con, data_dir, "pretix", "run-1")}
    finally:
        con.close()
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(listed, "rejected")
    for name in listed:
        assert ledger(data_dir)[name][1].startswith("symbolic_link"), name
    assert query(data_dir, "select count(*) from raw.pretix_checkin_log") == [(0,)]


def test_a_pipe_in_landing_is_rejected_unread_in_a_source_and_a_tool_folder(data_dir):
    """A named pipe matches a source's name pattern but is no file: rejected (`not_a_regular_file`), never
    opened (a read would wait for a writer forever), and the files beside it load."""
    import os

    from pipelines.ingest import ingest_tool

    for folder in ("members", "zoom"):
        (data_dir.landing / folder).mkdir(parents=True)
    os.mkfifo(data_dir.landing / "members/members_2024-01-15.csv")
    os.mkfifo(data_dir.landing / "zoom/Attendee_Report.csv")
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, [member("A-000001")])
    for run in ("run-1", "run-2"):
        _ingest_as_a_run_does(data_dir, run)
        con = connect(data_dir)
        try:
            ingest_tool(con, data_dir, "zoom", run)
        finally:
            con.close()
    rows = ledger(data_dir)
    for name in ("members/members_2024-01-15.csv", "zoom/Attendee_Report.csv"):
        assert rows[name][0] == "rejected" and rows[name][1].startswith("not_a_regular_file"), name
    assert rows["members/members_2024-02-15.csv"] == ("loaded", "")
    assert query(data_dir, "select count(*) from meta.ingested_files") == [(3,)]  # once each


def test_a_file_that_cannot_be_read_is_rejected_and_read_once_it_can_be(data_dir, monkeypatch):
    """No permission to read (emulated: the tests run as root, who may read anything) stops neither the run nor
    the files after it; the reason names the error's kind, not its text (which quotes the path)."""
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, [member("A-000002")])
    locked = data_dir.landing / "members/members_2024-01-15.csv"
    real_read = Path.read_bytes

    def read_bytes(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    _ingest_as_a_run_does(data_dir, "run-1")
    _ingest_as_a_run_does(data_dir, "run-2")
    status, reason = ledger(data_dir)["members/members_2024-01-15.csv"]
    assert status == "rejected" and reason.startswith("cannot_read") and "PermissionError" in reason
    assert "members_2024" not in reason
    assert ledger(data_dir)["members/members_2024-02-15.csv"] == ("loaded", "")
    monkeypatch.setattr(Path, "read_bytes", real_read)
    _ingest_as_a_run_does(data_dir, "run-3")
    assert query(
        data_dir, "select status from meta.ingested_files where file_name like '%01-15%' order by ingested_at"
    ) == [("rejected",), ("loaded",)]


def test_a_file_removed_after_it_was_listed_stops_nothing(data_dir, monkeypatch):
    """Removed (or moved away) between the listing of its folder and its load: rejected as it cannot be read, and
    the files after it load."""
    import os

    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, [member("A-000002")])
    gone = data_dir.landing / "members/members_2024-01-15.csv"
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if str(path) == str(gone):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    ingest_all(data_dir, "run-1")
    monkeypatch.setattr(os, "lstat", real_lstat)
    status, reason = ledger(data_dir)["members/members_2024-01-15.csv"]
    assert status == "rejected" and reason.startswith("cannot_read") and "FileNotFoundError" in reason
    assert ledger(data_dir)["members/members_2024-02-15.csv"] == ("loaded", "")


def test_a_workbook_whose_sheet_is_cut_off_is_rejected_once(data_dir):
    import io
    import zipfile

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Sheet1")
    for r, row in enumerate([MEMBERS, member("A-000001")]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    cut = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as whole, zipfile.ZipFile(cut, "w") as out:
        for item in whole.infolist():
            data = whole.read(item.filename)
            out.writestr(
                item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data
            )
    (data_dir.landing / "members").mkdir(parents=True)
    (data_dir.landing / "members/members_2024-01-15.xlsx").write_bytes(cut.getvalue())
    ingest_all(data_dir, "run-1")
    ingest_all(data_dir, "run-2")
    assert ledger(data_dir)["members/members_2024-01-15.xlsx"] == (
        "rejected",
        "unreadable_workbook: the file is not a readable .xlsx workbook",
    )
    assert query(data_dir, "select count(*) from meta.ingested_files") == [(1,)]


# ------------------------------------------------------------------------------------- volume (item 3)


def test_a_truncated_members_snapshot_is_rejected_and_the_threshold_is_a_setting(data_dir, monkeypatch):
    full = [member(f"A-{i:06d}") for i in range(1, 11)]
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, full)
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, full[:6])  # fine: 6 of 10
    write_export(data_dir.landing / "members/members_2024-03-15.csv", MEMBERS, full[:2])  # 2 of 6
    ingest_all(data_dir, "run-1")
    rows = ledger(data_dir)
    assert rows["members/members_2024-02-15.csv"][0] == "loaded"
    status, reason = rows["members/members_2024-03-15.csv"]
    assert status == "rejected" and reason.startswith("truncated_snapshot"), reason
    assert "members/members_2024-02-15.csv" in reason and "A-0000" not in reason
    assert query(
        data_dir, "select count(*) from raw.members where _source_file = 'members/members_2024-03-15.csv'"
    ) == [(0,)]
    assert query(data_dir, "select count(*) from quarantine.members") == [(0,)]
    # a lower threshold lets a later, equally small export through
    monkeypatch.setenv("ALUMNI_TRUNCATION_THRESHOLD", "0.2")
    write_export(data_dir.landing / "members/members_2024-04-15.csv", MEMBERS, full[2:4])
    ingest_all(data_dir, "run-2")
    assert ledger(data_dir)["members/members_2024-04-15.csv"][0] == "loaded"


def test_a_refused_file_leaves_nothing_staged_in_the_connection(data_dir):
    """A file refused after its rows were inserted rolls back, and the rollback brings back what its load had
    dropped inside the transaction (the staged records and their view): they go too, before the next file."""
    full = [member(f"A-{i:06d}") for i in range(1, 11)]
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, full)
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, full[:2])  # truncated
    con = connect(data_dir)
    try:
        results = ingest_source(con, data_dir, BY_NAME["members"], "run-1")
        assert [r.status for r in results] == ["loaded", "rejected"]
        assert temp_objects(con) == ([], [])
    finally:
        con.close()


def test_a_truncated_clubs_snapshot_is_rejected(data_dir):
    header = ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"]
    clubs = [[f"C{i}", "Club", "Chemnitz", "DE", "01.01.2010", "", "aktiv"] for i in range(1, 9)]
    write_export(data_dir.landing / "clubs/clubs_2024-01-01.csv", header, clubs)
    write_export(data_dir.landing / "clubs/clubs_2024-02-01.csv", header, clubs[:3])
    ingest_all(data_dir)
    assert ledger(data_dir)["clubs/clubs_2024-02-01.csv"][1].startswith("truncated_snapshot")


# ------------------------------------------------------------------------------------- blocking checks (item 1)


def test_free_text_typed_into_an_amount_is_not_quoted_in_its_message(data_dir):
    rows = [
        ["S1", "A-000001", "", "01.01.2024", "50 Euro bar von Hilde Zyzzel", ""],
        ["S2", "", "", "x", "5", ""],
    ]
    write_export(data_dir.landing / "donations/donations_2024-01-31.csv", DONATIONS_HEADER, rows)
    ingest_all(data_dir)
    messages = [m for _, _, m in quarantine(data_dir, "donations")]
    assert messages == [
        "column 'Betrag': not an amount (expected e.g. 25,00 or 1.250,00 or 25.00)",
        "column 'Datum': not a date (expected DD.MM.YYYY or YYYY-MM-DD) (value 'x')",
    ]


def test_a_file_failing_a_blocking_expectation_is_rejected_on_every_run(data_dir):
    write_export(
        data_dir.landing / "donations/donations_2024-01-31.csv",
        DONATIONS_HEADER,
        [
            ["S1", "A-000001", "", "01.01.2024", "50,00", ""],
            ["S2", "A-000002", "", "02.01.2024", "20.000.000,00", ""],
        ],
    )
    write_export(
        data_dir.landing / "donations/donations_2024-02-29.csv",
        DONATIONS_HEADER,
        [["S3", "A-000001", "", "01.02.2024", "25,00", ""]],
    )
    ingest_all(data_dir, "run-1")
    status, reason = ledger(data_dir)["donations/donations_2024-01-31.csv"]
    assert status == "rejected"
    assert "expect_column_values_to_be_between" in reason and "amount_eur" in reason
    assert "20" not in reason.split("(")[0] and "A-000002" not in reason
    assert query(data_dir, "select donation_id from raw.donations") == [("S3",)]
    ingest_all(data_dir, "run-2")  # a plain rerun does not clear it
    assert query(data_dir, "select donation_id from raw.donations") == [("S3",)]
    assert query(data_dir, "select status from meta.ingested_files where file_name like '%01-31%'") == [
        ("rejected",)
    ]


def test_a_crash_between_loading_and_validating_leaves_no_unvalidated_row(data_dir):
    write_export(
        data_dir.landing / "donations/donations_2024-01-31.csv",
        DONATIONS_HEADER,
        [["S1", "A-000001", "", "01.01.2024", "20.000.000,00", ""]],
    )
    worker = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from pipelines.ingest import quality\n"
        "quality.failed_blocking_expectations = lambda *a: os._exit(9)  # the process dies right here\n"
        "from tests.helpers import ingest_all\n"
        "from pipelines.settings import DataDir\n"
        "ingest_all(DataDir(Path(sys.argv[1])), 'crashed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", worker, str(data_dir.root)], cwd=Path(__file__).parents[2], capture_output=True
    )
    assert done.returncode == 9, done.stderr
    assert query(data_dir, "select count(*) from raw.donations") == [(0,)]
    assert query(data_dir, "select count(*) from meta.ingested_files") == [(0,)]
    ingest_all(data_dir, "run-2")
    assert ledger(data_dir)["donations/donations_2024-01-31.csv"][0] == "rejected"
    assert query(data_dir, "select count(*) from raw.donations") == [(0,)]


# ------------------------------------------------------------------------------------- erasure (item 5)

KEY = b"test-pseudonym-key-not-secret"


def family_landing(data_dir, request: list[str]) -> None:
    from tests.ingest.test_loader import ACTIVITY, ERASURE

    erika_2020 = member("A-000042", email="family@x.de")
    erika_2021 = member("A-000042", email="erika@x.de")
    partner = member("A-000043", email="family@x.de")
    land = data_dir.landing
    write_export(land / "members/members_2020-01-15.csv", MEMBERS, [erika_2020, partner])
    write_export(land / "members/members_2021-01-15.csv", MEMBERS, [erika_2021, partner])
    write_export(
        land / "newsletter/campaigns_2021-12-31.csv",
        CAMPAIGNS,
        [["C1", "", "Neuigkeiten", "01.03.2021 10:00", "de"]],
    )
    write_export(
        land / "newsletter/activity_2021-12-31.csv",
        ACTIVITY,
        [
            ["C1", "family@x.de", "sent", "01.03.2021 10:00:00", "", "", ""],
            ["C1", "erika@x.de", "sent", "01.03.2021 10:00:00", "", "", ""],
        ],
    )
    write_export(
        land / "clubs/clubs_2021-01-01.csv",
        ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"],
        [["C1", "Club", "Chemnitz", "DE", "01.01.2010", "A-000042", "aktiv"]],
    )
    reports = land / "clubs/activities_2021-12-31.csv"
    write_export(reports, REPORTS, [["B1", "C1", "01.02.2021", "Clubtreffen", "1", "5", "A-000042", "gut"]])
    # a broken line: the reporter's id sits where no column expects it, so only the raw text holds it
    reports.write_bytes(reports.read_bytes() + b"B2;C1;01.03.2021;A-000042;Clubtreffen\n")
    write_export(land / "erasure/erasure_2022-01-01.csv", ERASURE, [request])


def test_erasure_of_one_member_leaves_the_shared_family_address_with_the_other(data_dir):
    from pipelines.ingest.privacy import keyed_hash

    family_landing(data_dir, ["A-000042", "family@x.de", "20.12.2021"])
    ingest_all(data_dir)
    family, erika = keyed_hash(KEY, "family@x.de"), keyed_hash(KEY, "erika@x.de")
    assert query(data_dir, "select member_id, email from raw.members order by _source_file") == [
        ("A-000043", "family@x.de"),
        ("A-000043", "family@x.de"),
    ]
    assert query(data_dir, "select email_hash from raw.newsletter_activity") == [(family,)]
    erased = {h for (h,) in query(data_dir, "select hash from meta.erased_identities")}
    assert erika in erased and family not in erased
    assert query(data_dir, "select ambassador_id from raw.clubs") == [(None,)]
    # the club's reports stay the club's; the broken line, which named the person, goes (the ledger counts it)
    assert query(data_dir, "select report_id, reported_by_id from raw.club_activities") == [("B1", None)]
    assert query(data_dir, "select count(*) from quarantine.club_activities") == [(0,)]
    assert query(
        data_dir,
        "select rows_read, rows_quarantined from meta.ingested_files where file_name like '%activities%'",
    ) == [(2, 1)]
    assert query(
        data_dir,
        "select sum(rows_affected) from meta.erasure_log where table_name = 'quarantine.club_activities'",
    ) == [(1,)]


def test_erasure_by_an_address_alone_takes_every_member_who_holds_it(data_dir):
    family_landing(data_dir, ["", "family@x.de", "20.12.2021"])
    ingest_all(data_dir)
    assert query(data_dir, "select count(*) from raw.members") == [(0,)]
    assert query(data_dir, "select count(*) from raw.newsletter_activity") == [(0,)]


def test_the_run_summary_counts_rows_erased_from_earlier_loads(data_dir):
    from datetime import UTC, datetime

    from pipelines.run import _summary
    from tests.ingest.test_loader import ERASURE

    family_landing(data_dir, ["", "nobody@x.de", "20.12.2021"])
    ingest_all(data_dir, "run-1")
    write_export(
        data_dir.landing / "erasure/erasure_2022-02-01.csv", ERASURE, [["A-000042", "", "01.02.2022"]]
    )
    ingest_all(data_dir, "run-2")
    # the request file itself erased nothing of its own rows: the rows went from files loaded in run-1
    assert query(
        data_dir, "select coalesce(sum(rows_erased), 0) from meta.ingested_files where run_id = 'run-2'"
    ) == [(0,)]
    summary = _summary(data_dir, "run-2", True, datetime.now(UTC))
    assert summary["rows_erased"] >= 4  # two snapshot rows, an activity row, the club and the report detached


def test_a_warehouse_is_rewritten_after_an_erasure_and_only_then(data_dir):
    from pipelines.ingest import guards
    from tests.ingest.test_loader import ERASURE

    family_landing(data_dir, ["", "nobody@x.de", "20.12.2021"])
    ingest_all(data_dir, "run-1")
    assert guards.compact_after_erasure(data_dir) is None  # nobody erased yet: nothing to do
    assert b"erika@x.de" in data_dir.warehouse.read_bytes()
    write_export(
        data_dir.landing / "erasure/erasure_2022-02-01.csv", ERASURE, [["A-000042", "", "01.02.2022"]]
    )
    ingest_all(data_dir, "run-2")
    assert b"erika@x.de" in data_dir.warehouse.read_bytes()  # deleted, but DuckDB keeps the bytes
    assert guards.compact_after_erasure(data_dir) is not None
    content = data_dir.warehouse.read_bytes()
    assert b"erika@x.de" not in content and b"A-000042" not in content
    assert not data_dir.warehouse.with_name("warehouse.duckdb.wal").exists()
    assert query(data_dir, "select count(*) from raw.members") == [(2,)]  # the partner, both snapshots
    assert guards.compact_after_erasure(data_dir) is None  # done once per erasure


def test_the_rewrite_keeps_every_row_of_every_table(data_dir):
    """The rewrite copies every table in any order of its rows (guards.compact_after_erasure, by both threads):
    the same rows, each as often, in every table; a table of many row groups too, which the threads share."""
    import duckdb

    from pipelines.ingest import guards
    from tests.ingest.test_loader import ERASURE

    family_landing(data_dir, ["", "nobody@x.de", "20.12.2021"])
    ingest_all(data_dir, "run-1")
    write_export(
        data_dir.landing / "erasure/erasure_2022-02-01.csv", ERASURE, [["A-000042", "", "01.02.2022"]]
    )
    ingest_all(data_dir, "run-2")
    con = duckdb.connect(str(data_dir.warehouse))
    # four row groups (DuckDB's size, opened by its path), which the threads share; each row 400 times
    con.execute(
        "create table raw.many_rows as select i % 1000 as k, md5((i % 1000)::varchar) as v from range(400000) as t(i)"
    )
    con.close()

    def contents() -> dict[str, list[tuple]]:
        reader = duckdb.connect(str(data_dir.warehouse), read_only=True)
        try:
            tables = reader.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
            ).fetchall()
            # every row as text, counted: the same rows as often, whatever their order
            return {
                f"{schema}.{table}": reader.execute(
                    f"select cast(t as varchar) as row, count(*) from {schema}.{table} as t group by all order by all"
                ).fetchall()
                for schema, table in tables
                if (schema, table) != ("meta", "compactions")
            }
        finally:
            reader.close()

    before = contents()
    assert before["raw.members"] and before["meta.erasure_log"]
    assert len(before["raw.many_rows"]) == 1000 and {n for _, n in before["raw.many_rows"]} == {400}
    assert guards.compact_after_erasure(data_dir) is not None
    assert contents() == before


ERASE_TWICE = """
import sys
from pathlib import Path

from pipelines.ingest import guards
from pipelines.settings import DataDir
from tests.helpers import ingest_all, write_export
from tests.ingest.test_loader import ERASURE
from tests.ingest.test_robustness import family_landing

data_dir = DataDir(Path(sys.argv[1]))
family_landing(data_dir, ["", "nobody@x.de", "20.12.2021"])
ingest_all(data_dir, "run-1")
write_export(data_dir.landing / "erasure/erasure_2022-02-01.csv", ERASURE, [["A-000042", "", "01.02.2022"]])
ingest_all(data_dir, "run-2")
assert guards.compact_after_erasure(data_dir) is not None
write_export(data_dir.landing / "erasure/erasure_2022-03-01.csv", ERASURE, [["A-000043", "", "01.03.2022"]])
ingest_all(data_dir, "run-3")
assert b"A-000043" in data_dir.warehouse.read_bytes()
print("second rewrite:", guards.compact_after_erasure(data_dir) is not None)
assert b"A-000043" not in data_dir.warehouse.read_bytes()
"""


def test_an_erasure_right_after_a_rewrite_is_rewritten_too_on_a_host_east_of_utc(data_dir):
    """The sweep records when it erased in UTC; the rewrite records when it rewrote in UTC too. In the host's
    zone (here UTC+14) the rewrite would be hours "later" than an erasure a minute after it, which would then
    look rewritten already and stay in the file's bytes."""
    import os

    result = subprocess.run(
        [sys.executable, "-c", ERASE_TWICE, str(data_dir.root)],
        cwd=Path(__file__).resolve().parents[2],
        env=dict(os.environ, TZ="Pacific/Kiritimati"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "second rewrite: True" in result.stdout


def test_the_rewrite_before_dbt_is_for_a_warehouse_without_models_only(data_dir):
    """Between the ingest and dbt (pipelines/defs/transform.py) the rewrite happens in a first build only: a
    warehouse with models waits for the rewrite after publishing, which covers what dbt deleted too."""
    import duckdb

    from pipelines.ingest import guards
    from tests.ingest.test_loader import ERASURE

    family_landing(data_dir, ["", "nobody@x.de", "20.12.2021"])
    ingest_all(data_dir, "run-1")
    write_export(
        data_dir.landing / "erasure/erasure_2022-02-01.csv", ERASURE, [["A-000042", "", "01.02.2022"]]
    )
    ingest_all(data_dir, "run-2")
    assert b"erika@x.de" in data_dir.warehouse.read_bytes()  # deleted by the sweep, still in the bytes
    con = duckdb.connect(str(data_dir.warehouse))
    con.execute("create schema marts")
    con.execute("create view marts.a_model as select 1 as x")
    con.close()
    assert guards.compact_after_erasure(data_dir, before_models=True) is None  # a model: not now
    assert b"erika@x.de" in data_dir.warehouse.read_bytes()
    con = duckdb.connect(str(data_dir.warehouse))
    con.execute("drop schema marts cascade")
    con.close()
    assert guards.compact_after_erasure(data_dir, before_models=True) is not None  # nothing built: now
    assert b"erika@x.de" not in data_dir.warehouse.read_bytes()
    assert guards.compact_after_erasure(data_dir) is None  # the rewrite after publishing has nothing left


def test_databases_and_secrets_are_readable_by_their_owner_only(data_dir, monkeypatch):
    import os
    import stat

    monkeypatch.delenv("ALUMNI_PSEUDONYM_KEY")
    data_dir.secrets.mkdir(parents=True)
    os.chmod(data_dir.secrets, 0o755)
    (data_dir.secrets / "pseudonym.key").write_text("k" * 64)
    os.chmod(data_dir.secrets / "pseudonym.key", 0o644)
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir)
    query(data_dir, "select 1")
    assert stat.S_IMODE(data_dir.warehouse.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.secrets.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir.secrets / "pseudonym.key").stat().st_mode) == 0o600

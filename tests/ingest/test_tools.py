"""Tool exports (TOOLS.md) read as the tools write them: every kind in each language, recognised by its header,
loaded with the same guarantees as canonical files (ledger, quarantine with reason codes, keyed hashes, erasure).

The files in tests/fixtures/tools/ are the examples of shared/TOOL_FORMATS.md, byte for byte (LF endings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from pipelines.ingest import connect, ingest_source, ingest_tool
from pipelines.ingest.landing import export_time
from pipelines.ingest.reading import FileRejected
from pipelines.ingest.sources import BY_NAME, REASONS
from pipelines.ingest.staging import stage_records
from pipelines.ingest.tables import cell_text, read_workbook
from pipelines.ingest.tools import read_tool_file
from pipelines.settings import DataDir
from tests.helpers import query, write_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"
EVENTS = [
    "Veranstaltungs-ID",
    "Titel",
    "Typ",
    "Beginn",
    "Ort",
    "Land",
    "Format",
    "Veranstalter",
    "Externe ID",
]
CAMPAIGNS = ["Kampagnen-ID", "Betreff", "Thema", "Versendet am", "Sprache", "Externe ID", "Empfänger"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def staged(found, path: Path) -> tuple[dict[str, list[str]], list[int]]:
    """A recognised export staged as the loader stages it (its columns by header, derived ones included), and
    the line each record starts on."""
    con = duckdb.connect()
    try:
        raw = path.read_bytes()
        stage_records(con, found.source, found.export, path, raw, path.stat())
        cursor = con.execute("select * from incoming order by _line")
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    columns = {c.header: [row[names.index(f"v_{c.name}")] for row in rows] for c in found.source.columns}
    return columns, [row[-1] for row in rows]


def read_fixture(tool: str, name: str, tmp_path: Path, as_name: str | None = None):
    path = tmp_path / (as_name or name)
    path.write_bytes(fixture(name))
    found = read_tool_file(tool, path, path.read_bytes())
    return found, *staged(found, path)


@pytest.mark.parametrize(
    ("tool", "name", "kind", "language", "rows"),
    [
        ("pretix", "pretix_positions_en.csv", "order_positions", "en", 3),
        ("pretix", "pretix_positions_de.csv", "order_positions", "de", 3),
        ("pretix", "pretix_checkinlog_en.csv", "checkin_log", "en", 3),
        ("pretix", "pretix_checkinlog_de.csv", "checkin_log", "de", 3),
        ("pretix", "pretix_checkinlist_en.csv", "checkin_list", "en", 3),
        ("pretix", "pretix_checkinlist_de.csv", "checkin_list", "de", 3),
        ("zoom", "zoom_report.csv", "webinar_attendees", "en", 4),
        ("listmonk", "listmonk_views.csv", "campaign_views", "en", 3),
        ("listmonk", "listmonk_clicks.csv", "campaign_clicks", "en", 3),
        ("listmonk", "listmonk_subscribers.csv", "subscribers", "en", 3),
        ("mautic", "mautic_email_stats.csv", "email_stats", "en", 3),
    ],
)
def test_each_kind_is_recognised_from_its_header(tool, name, kind, language, rows):
    found = read_tool_file(tool, Path(name), fixture(name))
    assert (found.kind.kind, found.language, found.export.read().rows_read) == (kind, language, rows)
    assert not found.export.malformed


def test_pretix_columns_read_by_name_in_either_language(tmp_path):
    for language in ("en", "de"):
        (tmp_path / language).mkdir()
        found, columns, lines = read_fixture(
            "pretix", f"pretix_positions_{language}.csv", tmp_path / language, "alumnitag2024_orders.csv"
        )
        by = {c.name: columns[c.header] for c in found.source.columns}
        assert by["order_code"] == ["KX3PQ", "LM7RT", "ZB4NW"]
        assert by["event_ref"] == ["alumnitag2024"] * 3
        # attendee e-mail, else the order's
        assert by["email"] == ["anna.mueller@example.org", "j.schmidt@example.org", "Th.Becker@Example.org"]
        assert by["ordered_at"][0] == "2024-05-02 18:41:07"
        assert lines == [2, 3, 4]


def test_slug_from_the_file_name_where_the_export_has_no_event_column(tmp_path):
    _, columns, _ = read_fixture(
        "pretix", "pretix_checkinlog_en.csv", tmp_path, "sommerfest_checkinlog_2024-05-05.csv"
    )
    assert set(columns["(event slug)"]) == {"sommerfest"}
    assert columns["(Date + Time)"][0] == "2024-05-04 10:02"


def test_zoom_sections_webinar_id_and_empty_marks(tmp_path):
    _, columns, lines = read_fixture("zoom", "zoom_report.csv", tmp_path, "Attendee_Report.csv")
    assert set(columns["(Webinar ID)"]) == {"81234567890"}
    assert columns["(section)"] == ["host", "attendee", "attendee", "attendee"]
    assert lines == [7, 10, 11, 12]  # physical lines of the file
    assert columns["Join Time"][3] == ""  # `--` is empty


@pytest.mark.parametrize(
    ("tool", "text", "expected"),
    [
        ("pretix", "Foo,Bar\n1,2\n", "order_positions"),
        ("listmonk", "a,b\n1,2\n", "campaign_views"),
        ("mautic", "E-Mail-Adresse,Betreff,Versanddatum\nx,y,z\n", "English column labels"),
        ("zoom", "Some Report\nA,B\n1,2\n", "webinar_attendees"),
    ],
)
def test_unrecognised_files_are_rejected_naming_the_kinds_expected(tool, text, expected):
    with pytest.raises(FileRejected) as raised:
        read_tool_file(tool, Path("x.csv"), text.encode())
    assert raised.value.reason == "unknown_kind"
    assert expected in raised.value.message


def test_export_time_from_the_name_else_the_modification_time(tmp_path):
    assert str(export_time(Path("a_orders_2024-05-07.csv"))) == "2024-05-07 00:00:00"
    assert str(export_time(Path("campaign_views_2024-05-07_13-05-09.csv"))) == "2024-05-07 13:05:09"
    path = tmp_path / "campaign_views.csv"
    path.write_text("x")
    assert export_time(path).year >= 2024


def test_xlsx_cells_read_as_export_text(tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Bestellpositionen")
    sheet.write_row(0, 0, ["Bestellnummer", "Position", "Status", "Preis", "Bestelldatum"])
    sheet.write_row(1, 0, ["KX3PQ", 1, "bezahlt", 25.5])
    from datetime import datetime

    sheet.write_datetime(1, 4, datetime(2024, 5, 2), book.add_format({"num_format": "dd.mm.yyyy"}))
    book.close()
    export = read_workbook(path.read_bytes())
    assert export.header == ["Bestellnummer", "Position", "Status", "Preis", "Bestelldatum"]
    assert export.records == [(2, ["KX3PQ", "1", "bezahlt", "25.5", "2024-05-02"])]
    assert cell_text(3.0) == "3" and cell_text(None) == ""


def test_pretix_order_workbook_reads_its_positions_sheet(tmp_path):
    """pretix's Excel order export holds several sheets; the positions are on `Order positions`."""
    rows = [line.split(";") for line in fixture("pretix_positions_de.csv").decode().splitlines()]
    path = tmp_path / "alumnitag2024_orders.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Bestellungen").write_row(0, 0, ["Bestellnummer", "Gesamtbetrag", "Status"])
    sheet = book.add_worksheet("Bestellpositionen")
    for n, row in enumerate(rows):
        # pretix writes numbers as number cells: the position id comes back as 1.0 from the reader
        sheet.write_row(n, 0, [int(v) if n and i == 3 else v for i, v in enumerate(row)])
    book.close()
    found = read_tool_file("pretix", path, path.read_bytes())
    assert (found.kind.kind, found.language, found.export.rows_read) == ("order_positions", "de", 3)
    columns, lines = staged(found, path)
    assert columns["Position"] == ["1", "1", "1"]
    assert columns["Bestellnummer"] == ["KX3PQ", "LM7RT", "ZB4NW"]
    assert lines == [2, 3, 4]


# ------------------------------------------------------------------------------------------- through DuckDB


# the catalogue entries the tool exports link to by `Externe ID` (a pretix slug, a Zoom id as Zoom shows it)
TOOL_EVENTS = [
    [
        "E-AT",
        "Alumnitag",
        "Alumnitreffen",
        "04.05.2024 10:00",
        "Chemnitz",
        "DE",
        "Präsenz",
        "zentral",
        "alumnitag2024",
    ],
    ["E-RV", "Webinar", "Ringvorlesung", "06.05.2024 18:00", "", "", "Online", "zentral", "812 3456 7890"],
]


def _world(root: Path) -> DataDir:
    data_dir = DataDir(root / "data")
    land = data_dir.landing
    write_export(land / "events/events_2024-04-01.csv", EVENTS, TOOL_EVENTS)
    write_export(
        land / "newsletter/campaigns_2024-03-01.csv",
        CAMPAIGNS,
        [
            [
                "NL-L",
                "Alumni-Newsletter 03/2024: Rückblick",
                "Neuigkeiten",
                "05.03.2024 15:00",
                "de",
                "42",
                "100",
            ],
            ["NL-M", "Alumni-Newsletter 03/2024", "Karriere", "05.03.2024 15:19", "de", "", ""],
        ],
    )
    return data_dir


def _load(data_dir: DataDir, files: dict[str, str], run_id: str = "run-1"):
    for target, name in files.items():
        path = data_dir.landing / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, path)
    con = connect(data_dir)
    for source in ("events", "newsletter_campaigns"):
        ingest_source(con, data_dir, BY_NAME[source], run_id)
    results = {}
    for tool in ("pretix", "zoom", "listmonk", "mautic"):
        for r in ingest_tool(con, data_dir, tool, run_id):
            results[r.file_name] = r
    return con, results


def test_tool_files_load_with_ledger_quarantine_and_keyed_hashes(tmp_path):
    data_dir = _world(tmp_path)
    con, results = _load(
        data_dir,
        {
            "pretix/alumnitag2024_checkinlog_2024-05-05.csv": "pretix_checkinlog_de.csv",
            "pretix/alumnitag2024_orders_2024-05-07.csv": "pretix_positions_en.csv",
            "pretix/alumnitag2024_checkin_haupteingang_2024-05-05.csv": "pretix_checkinlist_en.csv",
            "zoom/Attendee_Report.csv": "zoom_report.csv",
            "listmonk/campaign_views_2024-03-31.csv": "listmonk_views.csv",
            "listmonk/campaign_views_copy.csv": "listmonk_views.csv",
            "mautic/emails_sent_2024-03-31.csv": "mautic_email_stats.csv",
            "mautic/report_de.csv": "pretix_positions_de.csv",
        },
    )
    ledger = {
        name: (tool, kind, language, rows_read, loaded, quarantined, status)
        for name, tool, kind, language, rows_read, loaded, quarantined, status in con.execute(
            "select file_name, tool, kind, language, rows_read, rows_loaded, rows_quarantined, status "
            "from meta.ingested_files"
        ).fetchall()
    }
    # registrations are loaded before the check-ins that refer to them, whatever the export dates
    assert ledger["pretix/alumnitag2024_orders_2024-05-07.csv"] == (
        "pretix",
        "order_positions",
        "en",
        3,
        3,
        0,
        "loaded",
    )
    assert ledger["pretix/alumnitag2024_checkinlog_2024-05-05.csv"] == (
        "pretix",
        "checkin_log",
        "de",
        3,
        3,
        0,
        "loaded",
    )
    assert ledger["pretix/alumnitag2024_checkin_haupteingang_2024-05-05.csv"][:6] == (
        "pretix", "checkin_list", "en", 3, 3, 0,
    )  # fmt: skip
    assert ledger["zoom/Attendee_Report.csv"][:6] == ("zoom", "webinar_attendees", "en", 4, 4, 0)
    assert ledger["mautic/report_de.csv"] == ("mautic", "", "", 0, 0, 0, "rejected")
    # the same export downloaded again under another name: a duplicate, still of its tool
    assert ledger["listmonk/campaign_views_copy.csv"] == ("listmonk", "", "", 0, 0, 0, "duplicate")
    assert "English column labels" in results["mautic/report_de.csv"].reason
    for name, (*_, rows_read, loaded, quarantined, _status) in ledger.items():
        assert rows_read == loaded + quarantined, name
    # the check-in list row is matched to its registration (product and name); the list row without a check-in
    # time (QF8HD) counts for nothing and is not quarantined
    assert con.execute(
        "select order_code, position_id from raw.pretix_checkin_list where checked_in_at is not null order by 1"
    ).fetchall() == [("KX3PQ", "1"), ("LM7RT", "1")]
    # scans carry the keyed registration they scanned (erasure follows it)
    assert con.execute(
        "select count(*) from raw.pretix_checkin_log where registration_key_hash is null"
    ).fetchone() == (0,)
    assert con.execute(
        "select count(*) from raw.zoom_webinar_participants where email_hash is null or length(email_hash) <> 64"
    ).fetchone() == (0,)
    con.close()


def test_unknown_and_ambiguous_registrations_and_missing_addresses_are_quarantined(tmp_path):
    data_dir = _world(tmp_path)
    land = data_dir.landing
    positions = fixture("pretix_positions_de.csv").decode()
    # a second position of order LM7RT for the same person and product: the list row cannot tell them apart
    extra = positions.splitlines()[2].replace(";LM7RT;1;", ";LM7RT;2;")
    (land / "pretix").mkdir(parents=True)
    (land / "pretix/alumnitag2024_orders_2024-05-07.csv").write_text(positions + extra + "\n")
    (land / "pretix/alumnitag2024_checkinlog_2024-05-05.csv").write_text(
        fixture("pretix_checkinlog_en.csv").decode()
        + "2024-05-04,10:09,Haupteingang,Entry,NOPE1,1,x,Teilnahme Alumnitag,Niemand,#3,No,No,No,Foyer,OK,,"
        "2024-05-04,10:09\n"
        + "2024-05-04,10:10,Haupteingang,Entry,NOPE2,1,x,Teilnahme Alumnitag,Niemand,#3,No,No,No,Foyer,"
        "Unknown ticket,,2024-05-04,10:10\n"
    )
    (land / "pretix/alumnitag2024_checkin_liste_2024-05-05.csv").write_text(
        fixture("pretix_checkinlist_de.csv").decode()
    )
    zoom = fixture("zoom_report.csv").decode() + (
        "Yes,Unbekannt,,,,,04/28/2024 09:13:27 AM,approved,05/06/2024 06:00:00 PM,05/06/2024 06:10:00 PM,10,Yes,,\n"
    )
    (land / "zoom").mkdir()
    (land / "zoom/Attendee_Report.csv").write_text(zoom)
    con, _ = _load(data_dir, {})
    codes = con.execute(
        "select source, line_number, column_name, reason_code from meta.quarantine_log order by source, line_number"
    ).fetchall()
    assert codes == [
        # LM7RT has two positions for Dr. Jürgen Schmidt / Abendessen: ambiguous
        ("pretix_checkin_list", 3, "Bestellnummer", "ambiguous_registration"),
        # the failed scan of an unknown ticket counts for nothing; the OK entry of an unknown order is quarantined
        ("pretix_checkin_log", 5, "Order code", "unknown_registration"),
        ("zoom_webinar_participants", 13, "Email", "missing_email"),
    ]
    messages = " ".join(m for (m,) in con.execute("select message from meta.quarantine_log").fetchall())
    assert "Niemand" not in messages and "Jürgen" not in messages  # names never in messages
    con.close()


def test_rows_of_unknown_events_and_campaigns_are_quarantined(tmp_path):
    data_dir = _world(tmp_path)
    positions = fixture("pretix_positions_en.csv").decode().replace('"alumnitag2024"', '"sommerfest"')
    (data_dir.landing / "pretix").mkdir(parents=True)
    (data_dir.landing / "pretix/sommerfest_orders.csv").write_text(positions)
    clicks = fixture("listmonk_clicks.csv").decode().replace("\n42,", "\n77,")
    (data_dir.landing / "listmonk").mkdir()
    (data_dir.landing / "listmonk/campaign_clicks.csv").write_text(clicks)
    con, results = _load(data_dir, {"mautic/emails_sent.csv": "mautic_email_stats.csv"})
    assert results["pretix/sommerfest_orders.csv"].rows_quarantined == 3
    assert results["listmonk/campaign_clicks.csv"].rows_quarantined == 3
    assert results["mautic/emails_sent.csv"].rows_loaded == 3  # linked by subject to the catalogue's Betreff
    assert dict(
        con.execute("select source, any_value(reason_code) from meta.quarantine_log group by 1").fetchall()
    ) == {"pretix_order_positions": "unknown_event", "listmonk_campaign_clicks": "unknown_campaign"}
    con.close()


def test_a_mautic_row_whose_address_is_no_address_is_quarantined_and_the_report_loads(tmp_path):
    """Without a keyed hash the row would break the report's blocking expectation (every row a recipient) and
    refuse the whole file, on every run."""
    data_dir = _world(tmp_path)
    report = fixture("mautic_email_stats.csv").decode().replace("j.schmidt@example.org", "j.schmidt@example")
    (data_dir.landing / "mautic").mkdir(parents=True)
    (data_dir.landing / "mautic/emails_sent_2024-03-31.csv").write_text(report)
    con, results = _load(data_dir, {})
    result = results["mautic/emails_sent_2024-03-31.csv"]
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 2, 1)
    assert con.execute("select _line, _reason, _message from quarantine.mautic_email_stats").fetchall() == [
        (3, "invalid_email", "column 'Email address': " + REASONS["invalid_email"])
    ]
    con.close()


def test_erasure_reaches_tool_rows_by_every_address(tmp_path):
    data_dir = _world(tmp_path)
    write_export(
        data_dir.landing / "erasure/erasure_2024-06-01.csv",
        ["Mitgliedsnummer", "E-Mail", "Eingegangen am"],
        [["", "Anna.Mueller@example.org", "01.06.2024"]],
    )
    con = connect(data_dir)
    ingest_source(con, data_dir, BY_NAME["erasure_requests"], "run-0")
    con.close()
    con, results = _load(
        data_dir,
        {
            "pretix/alumnitag2024_orders_2024-05-07.csv": "pretix_positions_en.csv",
            "pretix/alumnitag2024_checkinlog_2024-05-05.csv": "pretix_checkinlog_en.csv",
            "pretix/alumnitag2024_checkin_haupteingang_2024-05-05.csv": "pretix_checkinlist_de.csv",
            "zoom/Attendee_Report.csv": "zoom_report.csv",
            "listmonk/campaign_clicks_2024-03-31.csv": "listmonk_clicks.csv",
            "listmonk/subscribers.csv": "listmonk_subscribers.csv",
            "mautic/emails_sent_2024-03-31.csv": "mautic_email_stats.csv",
        },
    )
    for table in (
        "pretix_order_positions",
        "pretix_checkin_log",
        "pretix_checkin_list",
        "zoom_webinar_participants",
        "listmonk_campaign_clicks",
        "listmonk_subscribers",
        "mautic_email_stats",
    ):
        text = con.execute(f"select string_agg(cast(columns(*) as varchar), '|') from raw.{table}").fetchall()
        assert "anna.mueller" not in str(text).lower(), table
        assert "Anna Müller" not in str(text), table
    # everyone else stays
    assert con.execute("select count(*) from raw.pretix_order_positions").fetchone() == (2,)
    assert con.execute("select count(*) from raw.mautic_email_stats").fetchone() == (2,)
    assert sum(r.rows_erased for r in results.values()) > 0
    con.close()


def test_canonical_catalogue_as_xlsx(tmp_path):
    data_dir = DataDir(tmp_path / "data")
    path = data_dir.landing / "events/events_2024-12-31.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, EVENTS)
    sheet.write_row(
        1, 0, ["E-1", "Alumnitag", "Alumnitreffen", "04.05.2024 10:00", "Chemnitz", "DE", "Präsenz"]
    )
    sheet.write_row(2, 0, ["", "ohne ID", "Karriere", "05.05.2024 10:00"])
    book.close()
    con = connect(data_dir)
    [result] = ingest_source(con, data_dir, BY_NAME["events"], "run-1")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        2,
        1,
        1,
    )
    assert con.execute("select line_number, reason_code from meta.quarantine_log").fetchall() == [
        (3, "missing_required")
    ]
    # the export date from the name, for a workbook as for a CSV (the snapshot models date rows by it)
    assert (
        str(con.execute("select distinct _exported_at from raw.events").fetchone()[0])
        == "2024-12-31 00:00:00"
    )
    assert con.execute("select encoding, tool, kind from meta.ingested_files").fetchone() == (
        "xlsx",
        "canonical",
        "events",
    )
    con.close()


def test_a_zoom_line_that_is_short_is_quarantined_under_its_sections_columns(tmp_path):
    """A Zoom section has a header of its own: a malformed line's fields go to quarantine under the columns that
    header names (not the file's), with its webinar and section, and its address's keyed hash for erasure."""
    data_dir = _world(tmp_path)
    lines = fixture("zoom_report.csv").decode().splitlines()
    host = next(i for i, line in enumerate(lines) if line.startswith("Yes,Alumni-Büro"))
    lines[host] = ",".join(lines[host].split(",")[:5])  # attended, name, address, join and leave time
    becker = next(i for i, line in enumerate(lines) if line.startswith("No,Thomas Becker"))
    lines[becker] = ",".join(lines[becker].split(",")[:8])
    path = data_dir.landing / "zoom/Attendee_Report_2024-05-06.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con, results = _load(data_dir, {})
    result = results["zoom/Attendee_Report_2024-05-06.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    rows = con.execute(
        "select _line, webinar_ref, section, attended, user_name, "
        "email_hash = alumni_hmac('alumni-office@example.org'), email_hash = alumni_hmac('th.becker@example.org'), "
        "_reason from quarantine.zoom_webinar_participants order by _line"
    ).fetchall()
    con.close()
    assert rows == [
        (host + 1, "81234567890", "host", "Yes", "Alumni-Büro", True, False, "malformed_row"),
        (becker + 1, "81234567890", "attendee", "No", "Thomas Becker", False, True, "malformed_row"),
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Nachmeldung Erika Mustermann.csv", None),
        ("Nachmeldung Erika Mustermann .csv", None),  # quoted trimmed, as every staged value is
        (" Erika Mustermann.csv", None),
        (
            "erika.mustermann.csv",
            "",
        ),  # one lower-case word, which a message would quote: not from such a name
        ("alumnitag-2025_checkin_haupteingang_2025-05-05.csv", "alumnitag-2025"),
    ],
)
def test_an_event_slug_from_a_file_name_pretix_did_not_give_is_not_quoted(tmp_path, name, slug):
    """A check-in export without a slug column takes its event from its file name. Of a name pretix gives, the slug
    is quoted where it matches no event (the name is published as it is); a name the office chose may be a
    person's, and is neither published nor quoted."""
    data_dir = _world(tmp_path)
    con, _ = _load(data_dir, {f"pretix/{name}": "pretix_checkinlist_en.csv"})
    messages = {m for (m,) in con.execute("select message from meta.quarantine_log").fetchall()}
    con.close()
    unknown = "column '(event slug)': no event with this Veranstaltungs-ID has been loaded"
    if slug is None:  # words with a space between are never quoted (sources.QUOTABLE_WORD)
        assert messages == {unknown}
        assert not any("Mustermann" in m for m in messages)
    elif slug == "":
        assert messages == {f"{unknown} (value from the file name)"}
    else:
        assert messages == {f"{unknown} (value '{slug}')"}


# A check-in list row and its order position: the key of each, and whether their keyed hashes are equal
SAME_REGISTRATION = (
    "select l.registration_key, l.registration_key_hash = p.registration_key_hash "
    "from raw.pretix_checkin_list as l join raw.pretix_order_positions as p "
    "on p.order_code = l.order_code and p.position_id = l.position_id order by 1"
)


def loaded_with_a_tab_after_an_order_code(tmp_path) -> DataDir:
    """The pretix exports of the fixtures, with a tab after order KX3PQ's code in the orders and the check-in
    list alike, loaded."""
    data_dir = _world(tmp_path)
    land = data_dir.landing
    (land / "pretix").mkdir(parents=True)
    (land / "pretix/alumnitag2024_orders_2024-05-07.csv").write_text(
        fixture("pretix_positions_de.csv").decode().replace(";KX3PQ;", ";KX3PQ\t;")
    )
    (land / "pretix/alumnitag2024_checkin_liste_2024-05-05.csv").write_text(
        fixture("pretix_checkinlist_de.csv").decode().replace("\nKX3PQ;", "\nKX3PQ\t;")
    )
    con, _ = _load(data_dir, {})
    con.close()
    return data_dir


def test_a_check_in_list_row_carries_the_key_of_the_registration_it_was_matched_to(tmp_path):
    """The check-in list names its registration by event, order and position like the order positions do: each
    part stripped as Python strips it (`derived_sql`), so a tab after an order code in both exports does not give
    the list row a key of its own, which an erasure of the attendee would miss."""
    data_dir = loaded_with_a_tab_after_an_order_code(tmp_path)
    assert query(data_dir, SAME_REGISTRATION) == [
        ("ALUMNITAG2024|KX3PQ|1", True),
        ("ALUMNITAG2024|LM7RT|1", True),
    ]


def test_an_export_put_in_the_wrong_tool_folder_loads_once_moved_to_its_own(tmp_path):
    """A listmonk export in zoom/ is rejected as no Zoom report; moved to listmonk/, the same bytes are read as
    listmonk's (a rejection by another folder's kinds says nothing of the file as its own folder's)."""
    data_dir = _world(tmp_path)
    con, results = _load(data_dir, {"zoom/campaign_clicks.csv": "listmonk_clicks.csv"})
    con.close()
    assert results["zoom/campaign_clicks.csv"].status == "rejected"
    assert results["zoom/campaign_clicks.csv"].reason.startswith("unknown_kind")
    (data_dir.landing / "listmonk").mkdir()
    (data_dir.landing / "zoom/campaign_clicks.csv").rename(data_dir.landing / "listmonk/campaign_clicks.csv")
    con, results = _load(data_dir, {}, "run-2")
    con.close()
    assert results["listmonk/campaign_clicks.csv"].status == "loaded"
    assert results["listmonk/campaign_clicks.csv"].rows_loaded > 0


def test_a_tool_export_rejected_for_its_content_stays_rejected_under_another_name(tmp_path, monkeypatch):
    """Refused after its rows were read (here: as if an error-severity expectation had failed), a tool's export is
    recorded under its kind; the same bytes renamed in the same folder are a duplicate, not read again."""
    from pipelines.ingest import loader

    data_dir = _world(tmp_path)
    refuse = loader._refuse_loaded
    monkeypatch.setattr(loader, "_refuse_loaded", lambda *args: "failed_expectation: as if")
    con, results = _load(data_dir, {"mautic/emails_sent_2024-03-31.csv": "mautic_email_stats.csv"})
    con.close()
    assert results["mautic/emails_sent_2024-03-31.csv"].status == "rejected"
    monkeypatch.setattr(loader, "_refuse_loaded", refuse)  # the rules as they are: they would let it load
    (data_dir.landing / "mautic/emails_sent_2024-03-31.csv").rename(
        data_dir.landing / "mautic/emails_sent_2024-04-01.csv"
    )
    con, results = _load(data_dir, {}, "run-2")
    con.close()
    assert results["mautic/emails_sent_2024-04-01.csv"].status == "duplicate"

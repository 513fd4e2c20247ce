"""A landing folder of real-format tool exports, small enough to work every figure out by hand, through the real
pipeline (Dagster, dbt, publish). Overlapping downloads are loaded in the wrong order: the newer one first."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from pipelines.settings import DataDir
from tests.conftest import copy_data_dir, made_once, run_cli
from tests.helpers import write_export
from tests.ingest.test_tools import CAMPAIGNS, EVENTS, TOOL_EVENTS

pytestmark = pytest.mark.slow

MEMBERS = ["Mitgliedsnummer", "Vorname", "Nachname", "E-Mail", "Statusgruppe", "Fakultät", "Land", "Ort",
           "Registriert am", "Newsletter", "Tracking", "Kontaktfreigabe", "Status"]  # fmt: skip

POSITIONS_EN = (
    '"Event slug","Event name","Order code","Position ID","Status","Email","Order date","Order time","Product",'
    '"Variation","Attendee name","Attendee email","Ticket secret","Add-on to position ID","Position order link"'
)
POSITIONS_DE = (
    "Kurzname der Veranstaltung;Veranstaltungstitel;Bestellnummer;Position;Status;E-Mail;Bestelldatum;"
    "Bestelluhrzeit;Produkt;Variante;Name Teilnehmer*in;E-Mail Teilnehmer*in;Ticket-Code;Zusatzprodukt zu Position;"
    "Link zur Bestellposition"
)


def _position(order, pos, status, email, product, name, attendee_email, addon="", de=False):
    values = ["alumnitag2024", "Alumnitag 2024", order, pos, status, email, "2024-04-02", "18:41:07", product, "",
              name, attendee_email, "secret" + order, addon, f"https://tickets.example.org/{order}/{pos}/"]  # fmt: skip
    if de:
        return ";".join(values)
    return ",".join(v if i == 3 else f'"{v}"' for i, v in enumerate(values))


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> SimpleNamespace:
    folder, _ = made_once(tmp_path_factory, "tools", _build_tools)
    data_dir = DataDir(folder / "data")
    warehouse = duckdb.connect(str(data_dir.warehouse), read_only=True)
    checkins = dict(
        warehouse.execute(
            "select registration_id, strftime(checked_in_at, '%H:%M') from intermediate.int_registrations"
        ).fetchall()
    )
    warehouse.close()
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    yield SimpleNamespace(execute=con.execute, checkins=checkins)
    con.close()


def _build_tools(folder: Path) -> None:
    data_dir = DataDir(folder / "data")
    land = data_dir.landing
    write_export(
        land / "members/members_2024-06-01.csv",
        MEMBERS,
        [
            [
                "A-1",
                "Anna",
                "Müller",
                "anna@example.org",
                "Absolvent/in",
                "NAT",
                "DE",
                "Dresden",
                "01.01.2015",
                "ja",
                "ja",
                "ja",
                "aktiv",
            ],
            [
                "A-2",
                "Jürgen",
                "Schmidt",
                "j.schmidt@example.org",
                "Absolvent/in",
                "WIWI",
                "DE",
                "Chemnitz",
                "01.01.2015",
                "ja",
                "ja",
                "ja",
                "aktiv",
            ],
            [
                "A-3",
                "Thomas",
                "Becker",
                "th.becker@example.org",
                "Promovierte/r",
                "INF",
                "DE",
                "München",
                "01.01.2016",
                "ja",
                "ja",
                "ja",
                "aktiv",
            ],
            [
                "A-4",
                "Şebnem",
                "Yılmaz",
                "sebnem@example.org",
                "Absolvent/in",
                "INF",
                "TR",
                "Istanbul",
                "01.01.2017",
                "ja",
                "ja",
                "ja",
                "aktiv",
            ],
        ],  # fmt: skip
    )
    write_export(land / "events/events_2024-04-01.csv", EVENTS, TOOL_EVENTS)
    write_export(
        land / "newsletter/campaigns_2024-03-01.csv",
        CAMPAIGNS,
        [
            ["NL-L", "Newsletter März", "Neuigkeiten", "05.03.2024 15:00", "de", "42", "100"],
            ["NL-M1", "Alumni-Newsletter", "Karriere", "05.03.2024 15:19", "de", "", ""],
            ["NL-M2", "Alumni-Newsletter", "Karriere", "05.06.2024 10:00", "de", "", ""],
        ],
    )
    pretix = land / "pretix"
    pretix.mkdir(parents=True)
    rows = [
        ("KX3PQ", "1", "paid", "anna@example.org", "Teilnahme", "Anna Müller", "anna@example.org"),
        ("LM7RT", "1", "paid", "j.schmidt@example.org", "Teilnahme", "Dr. Jürgen Schmidt", ""),
        ("LM7RT", "2", "paid", "j.schmidt@example.org", "Abendessen", "Dr. Jürgen Schmidt", "", "1"),
        ("ZB4NW", "1", "pending", "th.becker@example.org", "Teilnahme", "Thomas Becker", ""),
        ("QF8HD", "1", "paid", "sebnem@example.org", "Teilnahme", "Şebnem Yılmaz", ""),
        ("EXP01", "1", "expired", "old@example.org", "Teilnahme", "Niemand", ""),
        ("AMB01", "1", "paid", "gast@example.org", "Teilnahme", "Gast", ""),
        ("AMB01", "2", "paid", "gast@example.org", "Teilnahme", "Gast", ""),
    ]
    # the newer download, German, semicolons: ZB4NW has been cancelled since the older one
    de_status = {"ZB4NW": "storniert", "EXP01": "abgelaufen"}
    (pretix / "alumnitag2024_orders_2024-05-10.csv").write_text(
        "\r\n".join(
            [POSITIONS_DE]
            + [_position(*r[:2], de_status.get(r[0], "bezahlt"), *r[3:], de=True) for r in rows]
        )
        + "\r\n"
    )
    scans = [
        "Date,Time,Check-in list,Scan type,Order code,Position ID,Secret,Product,Name,Result",
        "2024-05-04,10:02,Haupteingang,Entry,KX3PQ,1,s,Teilnahme,Anna Müller,OK",
        "2024-05-04,10:03,Haupteingang,Entry,KX3PQ,1,s,Teilnahme,Anna Müller,Ticket already used",
        "2024-05-04,23:05,Haupteingang,Exit,LM7RT,1,s,Teilnahme,Dr. Jürgen Schmidt,OK",
        "2024-05-04,19:00,Haupteingang,Entry,LM7RT,2,s,Abendessen,Dr. Jürgen Schmidt,OK",
        "2024-05-04,10:30,Haupteingang,Entry,UNKNW,1,s,Teilnahme,Niemand,OK",
    ]
    (pretix / "alumnitag2024_checkinlog_2024-05-05.csv").write_text("\r\n".join(scans) + "\r\n")
    listed = [
        "Bestellnummer;Name Teilnehmer*in;Produkt;Eingecheckt;Ausgetreten;E-Mail",
        "LM7RT;Dr. Jürgen Schmidt;Teilnahme;04.05.2024 18:31;04.05.2024 23:05;j.schmidt@example.org",
        "QF8HD;Şebnem Yılmaz;Teilnahme;04.05.2024 11:15;;sebnem@example.org",
        "KX3PQ;Anna Müller;Teilnahme;04.05.2024 12:00;;anna@example.org",
        "AMB01;Gast;Teilnahme;04.05.2024 11:00;;gast@example.org",
        "ZB4NW;Thomas Becker;Teilnahme;;;th.becker@example.org",
    ]
    (pretix / "alumnitag2024_checkin_haupteingang_2024-05-05.csv").write_text("\r\n".join(listed) + "\r\n")
    zoom = land / "zoom"
    zoom.mkdir()
    (zoom / "Attendee_Report_2024-05-07.csv").write_text(
        "\ufeffAttendee Report\n"
        'Report Generated:,"05/07/2024 10:15 AM"\n'
        "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered\n"
        'Webinar,812 3456 7890,"05/06/2024 06:00:11 PM",64,5\n'
        "Host Details,\n"
        "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest\n"
        "Yes,Alumni-Büro,alumni-office@example.org,05/06/2024 05:48:02 PM,05/06/2024 07:04:40 PM,77,No\n"
        "Panelist Details,\n"
        "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest\n"
        "Yes,Jürgen Schmidt,J.Schmidt@example.org,05/06/2024 05:55:00 PM,05/06/2024 07:04:40 PM,70,No\n"
        "Attendee Details,\n"
        "Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Approval Status,"
        "Join Time,Leave Time,Time in Session (minutes),Is Guest\n"
        "Yes,Anna,Anna,Müller,anna@example.org,04/28/2024 09:13:27 AM,approved,05/06/2024 05:59:40 PM,"
        "05/06/2024 06:31:02 PM,32,Yes\n"
        "Yes,Anna (iPhone),Anna,Müller,anna@example.org,04/28/2024 09:13:27 AM,approved,05/06/2024 06:33:15 PM,"
        "05/06/2024 07:03:58 PM,31,Yes\n"
        "No,Thomas,Thomas,Becker,Th.Becker@Example.org,05/02/2024 11:47:09 PM,approved,--,--,--,No\n"
        "Yes,Jürgen,Jürgen,Schmidt,j.schmidt@example.org,04/20/2024 08:00:00 AM,approved,05/06/2024 06:10:00 PM,"
        "05/06/2024 06:20:00 PM,10,No\n"
        "Yes,Anonym,,,,04/28/2024 09:13:27 AM,approved,05/06/2024 06:00:00 PM,05/06/2024 06:10:00 PM,10,Yes\n"
    )
    listmonk = land / "listmonk"
    listmonk.mkdir()
    head = "campaign_id,campaign_uuid,campaign_name,subscriber_id,subscriber_uuid,email,subscriber_name,"
    uuid = "5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
    (listmonk / "campaign_views_2024-03-31.csv").write_text(
        head + "created_at\n"
        f"42,{uuid},März,1187,u1,anna@example.org,Anna,2024-03-05T14:20:02Z\n"
        f"42,{uuid},März,0,,,,2024-03-05T15:01:45Z\n"
        f"42,{uuid},März,0,,,,2024-03-05T15:01:45Z\n"
    )
    # a later download overlapping the first: the same rows and one more anonymous view
    (listmonk / "campaign_views_2024-04-30.csv").write_text(
        head + "created_at\n"
        f"42,{uuid},März,1187,u1,anna@example.org,Anna,2024-03-05T14:20:02Z\n"
        f"42,{uuid},März,0,,,,2024-03-05T15:01:45Z\n"
        f"42,{uuid},März,0,,,,2024-03-05T15:01:45Z\n"
        f"42,{uuid},März,0,,,,2024-03-07T09:00:00Z\n"
    )
    (listmonk / "campaign_clicks_2024-03-31.csv").write_text(
        head + "url,created_at\n"
        f"42,{uuid},März,1187,u1,anna@example.org,Anna,https://a.example.org/1,2024-03-05T14:22:10Z\n"
        f"42,{uuid},März,1187,u1,anna@example.org,Anna,https://a.example.org/2,2024-03-05T14:22:11Z\n"
        f"42,{uuid},März,1187,u1,anna@example.org,Anna,https://a.example.org/3,2024-03-05T14:22:11Z\n"
        f"42,{uuid},März,77,u2,j.schmidt@example.org,J,https://a.example.org/1,2024-03-06T08:00:00Z\n"
        f"42,{uuid},März,0,,,,https://a.example.org/1,2024-03-06T09:00:00Z\n"
    )
    mautic = land / "mautic"
    mautic.mkdir()
    (mautic / "emails_sent_2024-06-30.csv").write_text(
        '"Email address",Subject,"Date sent",Read,"Date read",Clicked,Unsubscribed,Bounced,"Read delay"\n'
        'anna@example.org,Alumni-Newsletter,"March 5, 2024 3:19 pm",Yes,"March 5, 2024 3:22 pm",Yes,No,No,00:03:12\n'
        'j.schmidt@example.org,Alumni-Newsletter,"March 5, 2024 3:19 pm",Yes,"March 5, 2024 3:19 pm",No,No,No,'
        "00:00:01\n"
        'old@example.org,Alumni-Newsletter,"March 5, 2024 3:19 pm",No,,No,No,Yes,-\n'
        'th.becker@example.org,Alumni-Newsletter,"March 5, 2024 3:19 pm",No,,No,No,No,-\n'
        'anna@example.org,Alumni-Newsletter,"June 5, 2024 10:00 am",Yes,"June 5, 2024 10:02 am",No,No,No,00:02:00\n'
    )
    first = run_cli("pipeline", "--data-dir", str(data_dir.root))
    assert first.returncode == 0, first.stdout + first.stderr
    # the older download (English, CSV with commas; ZB4NW still pending) arrives after the newer one
    (pretix / "alumnitag2024_orders_2024-04-20.csv").write_bytes(
        ("\r\n".join([POSITIONS_EN] + [_position(*r) for r in rows]) + "\r\n").encode()
    )
    second = run_cli("pipeline", "--data-dir", str(data_dir.root))
    assert second.returncode == 0, second.stdout + second.stderr


def test_pretix_and_zoom_registrations_by_hand(tools):
    figures = {
        row[0]: row[1:]
        for row in tools.execute(
            "select event_id, registrations, cancellations, attendees, no_show_rate, alumni_attendees, speakers "
            "from fct_event_attendance order by event_id"
        ).fetchall()
    }
    # Alumnitag: 7 registrations (LM7RT-2 is an add-on); cancelled: EXP01 (expired) and ZB4NW (cancelled in the
    # latest download, loaded first); checked in: KX3PQ (log entry), LM7RT-1 (list: the log has only its exit),
    # QF8HD (list); AMB01's list row is ambiguous; the add-on's scan counts for nothing.
    # no-show = (7 - 2 - 3) / (7 - 2) = 0.4; alumni attendees: Anna, Jürgen, Şebnem.
    assert figures["E-AT"] == (7, 2, 3, pytest.approx(0.4), 3, 0)
    # Webinar: Jürgen (panelist and attendee: one registration, as speaker), Anna (two sessions), Thomas
    # (no-show); the row without an e-mail is quarantined. no-show = 1 / 3.
    assert figures["E-RV"] == (3, 0, 2, pytest.approx(1 / 3), 2, 1)


def test_checkin_from_the_log_wins_over_the_list(tools):
    # times in UTC: KX3PQ's log entry 10:02 (Berlin) beats the list's 12:00; LM7RT-1 has only an exit in the
    # log, so the list's 18:31 counts; the add-on LM7RT-2 is no registration
    assert tools.checkins["pretix:alumnitag2024:KX3PQ-1"] == "08:02"
    assert tools.checkins["pretix:alumnitag2024:LM7RT-1"] == "16:31"
    assert "pretix:alumnitag2024:LM7RT-2" not in tools.checkins


def test_listmonk_and_mautic_campaigns_by_hand(tools):
    rows = {
        row[0]: row[1:]
        for row in tools.execute(
            "select campaign_id, recipients, delivered, hard_bounces, soft_bounces, unsubscribes, complaints, "
            "unique_opens, unique_human_opens, unique_human_clicks, anonymous_opens, anonymous_clicks "
            "from fct_newsletter_campaigns order by campaign_id"
        ).fetchall()
    }
    # listmonk: recipients from Empfänger, nothing known of bounces, unsubscribes, complaints; Anna's three links
    # within 2 s are a scanner, her view is human; Jürgen's click is human (and implies an open); anonymous rows: 2 views at one
    # time in both downloads count 2, plus 1 more view, and 1 click
    assert rows["NL-L"] == (100, 100, None, None, None, None, 2, 2, 1, 3, 1)
    # Mautic, March (nearest to the report's send time): 4 sent, 1 bounce; Jürgen's read after 1 s is a machine
    # open; Anna read and clicked after 3 min; soft bounces and complaints are not in Mautic's report
    assert rows["NL-M1"] == (4, 3, 1, None, 0, None, 2, 1, 1, 0, 0)
    # Mautic, June: Anna alone
    assert rows["NL-M2"] == (1, 1, 0, None, 0, None, 1, 1, 0, 0, 0)
    sources = dict(tools.execute("select campaign_id, event_source from fct_newsletter_campaigns").fetchall())
    assert sources == {"NL-L": "listmonk", "NL-M1": "mautic", "NL-M2": "mautic"}


def _business_tables_differ(built: Path, rebuilt: Path) -> dict[str, tuple[int, int]]:
    """Tables of two analytics files (the run's own meta_ tables left out) with rows only in one of them."""
    con = duckdb.connect(str(rebuilt), read_only=True)
    try:
        con.execute(f"attach '{built}' as built (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = current_database() "
                "and table_schema = 'main' and table_name not like 'meta_%' order by 1"
            ).fetchall()
        ]
        assert "fct_newsletter_campaigns" in tables
        differ = {}
        for name in tables:
            only_rebuilt, only_built = (
                con.execute(
                    f"select count(*) from (select * from {a} except all select * from {b})"
                ).fetchone()[0]
                for a, b in ((f"main.{name}", f"built.main.{name}"), (f"built.main.{name}", f"main.{name}"))
            )
            if only_rebuilt or only_built:
                differ[name] = (only_rebuilt, only_built)
        return differ
    finally:
        con.close()


def test_a_campaign_listed_later_takes_over_older_mautic_rows_as_a_full_rebuild_does(
    tmp_path_factory, tmp_path
):
    """Mautic's rows are linked to a campaign when dbt builds, not when they are loaded: a campaign listed after the
    Mautic export takes over its rows, whose load times do not change. The incremental build moves them as a full
    rebuild does, and the campaigns left without a row lose their old figures; a campaign listed again under another
    topic has it in every figure, although none of its events is loaded again."""
    folder, _ = made_once(tmp_path_factory, "tools", _build_tools)
    data_dir = copy_data_dir(DataDir(folder / "data"), tmp_path / "data")
    # the office lists the Mautic mailing as a campaign of its own, its subject as the `Externe ID`: every row of
    # the Mautic export belongs to it now (TOOLS.md §8), none to NL-M1 and NL-M2 (nearest by subject before)
    write_export(
        data_dir.landing / "newsletter/campaigns_2024-07-01.csv",
        CAMPAIGNS,
        [
            [
                "NL-M3",
                "Alumni-Newsletter (Mautic)",
                "Karriere",
                "05.03.2024 15:19",
                "de",
                "Alumni-Newsletter",
                "",
            ],
            # and the listmonk campaign listed again under another topic (none of its events loaded again): a
            # click on a career newsletter is an act of its own kind (METRICS.md "Engagement acts")
            ["NL-L", "Newsletter März", "Karriere", "05.03.2024 15:00", "de", "42", "100"],
        ],
    )
    incremental = run_cli("pipeline", "--data-dir", str(data_dir.root))
    assert incremental.returncode == 0, incremental.stdout[-2000:] + incremental.stderr[-2000:]
    built = tmp_path / "incremental.duckdb"
    built.write_bytes(data_dir.analytics.read_bytes())
    con = duckdb.connect(str(built), read_only=True)
    sources = dict(con.execute("select campaign_id, event_source from fct_newsletter_campaigns").fetchall())
    clicks = dict(
        con.execute(
            "select activity_type, count(*) from fct_engagement_activities where source = 'newsletter' group by 1"
        ).fetchall()
    )
    # Anna, Jürgen, the bounced address and Thomas; Anna's June send is hers again
    recipients = con.execute(
        "select recipients, hard_bounces, unique_opens from fct_newsletter_campaigns where campaign_id = 'NL-M3'"
    ).fetchone()
    con.close()
    assert recipients == (4, 1, 2)
    assert sources["NL-M3"] == "mautic"
    assert sources["NL-M1"] != "mautic" and sources["NL-M2"] != "mautic"
    assert clicks == {"newsletter_click_offer": 2}  # Jürgen's on NL-L and Anna's on the Mautic mailing
    full = run_cli("pipeline", "--data-dir", str(data_dir.root), "--full-refresh")
    assert full.returncode == 0, full.stdout[-2000:] + full.stderr[-2000:]
    assert _business_tables_differ(built, data_dir.analytics) == {}


def test_engagement_acts_from_tool_rows_by_hand(tools):
    # METRICS.md "Engagement acts" on tool rows (everyone consented to tracking):
    # experiential: Anna, Jürgen, Şebnem at the Alumnitag (Şebnem by the order's address); Anna at the webinar;
    # volunteer: Jürgen as the webinar's panelist; communication: Jürgen's human click (listmonk) and Anna's click
    # read after 3 minutes (Mautic). Anna's three links within 2 s are a scanner; Thomas did not show up.
    acts = dict(
        tools.execute("select engagement_mode, count(*) from fct_engagement_activities group by 1").fetchall()
    )
    assert acts == {"experiential": 4, "volunteer": 1, "communication": 2}


def test_ledger_shows_tool_kind_and_language_and_nothing_personal(tools):
    ledger = tools.execute(
        "select file_name, tool, kind, language, status, rows_read, rows_loaded, rows_quarantined "
        "from meta_ingested_files where tool <> 'canonical' order by file_name"
    ).fetchall()
    assert (
        "pretix/alumnitag2024_orders_2024-05-10.csv",
        "pretix",
        "order_positions",
        "de",
        "loaded",
        8,
        8,
        0,
    ) in ledger
    assert (
        "zoom/Attendee_Report_2024-05-07.csv",
        "zoom",
        "webinar_attendees",
        "en",
        "loaded",
        7,  # host 1, panelist 1, attendees 5 (TOOLS.md §8: the data rows of the three sections)
        6,
        1,
    ) in ledger
    assert {row[0] for row in ledger} >= {
        "listmonk/campaign_views_2024-03-31.csv",
        "listmonk/campaign_clicks_2024-03-31.csv",
        "mautic/emails_sent_2024-06-30.csv",
    }
    codes = dict(tools.execute("select reason_code, count(*) from meta_quarantine group by 1").fetchall())
    assert codes == {"unknown_registration": 1, "ambiguous_registration": 1, "missing_email": 1}
    published = " ".join(
        str(v)
        for table in (
            "meta_ingested_files",
            "meta_quarantine",
            "meta_data_quality",
            "fct_newsletter_campaigns",
        )
        for row in tools.execute(f"select * from {table}").fetchall()
        for v in row
    )
    for personal in (
        "anna@example.org",
        "Müller",
        "Schmidt",
        "secretKX3PQ",
        "tickets.example.org",
        "Alumni-Büro",
    ):
        assert personal not in published

"""The demo world's tool exports (pretix, Zoom, listmonk, Mautic, an .xlsx catalogue): exact headers and quoting
as the tools write them (TOOL_FORMATS.md), determinism, no row both canonical and in a tool, and a truth file
that covers every new file. The headers below are copied from TOOL_FORMATS.md, not from the generator."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from pipelines.demo.generator import GenerateConfig, generate
from tests.demo.test_generator import read_export, tree_digest

UNTIL = date(2025, 7, 31)  # every tool has spoken by then: Zoom 2022, pretix 2023, listmonk 2024, Mautic 2025

HEADERS = {
    ("pretix", "order_positions", "en"): '"Event slug","Event name","Order code","Position ID","Status","Email","Phone number","Order date","Order time","Product","Product ID","Variation","Variation ID","Price","Tax rate","Tax rule","Tax value","Attendee name","Attendee name: Given name","Attendee name: Family name","Attendee email","Attendee company","Address","ZIP code","City","Country","State","Voucher","Voucher budget usage","Voucher tag","Pseudonymization ID","Ticket secret","Seat ID","Seat name","Seat zone","Seat row","Seat number","Blocked","Valid from","Valid until","Order comment","Follow-up date","Add-on to position ID","Abschlussjahr","Studiengang","Newsletter?","Invoice address company","Invoice address name","Invoice address name: Given name","Invoice address name: Family name","Invoice address street","Invoice address ZIP code","Invoice address city","Invoice address country","Invoice address state","VAT ID","Sales channel","Order locale","Email address verified","External customer ID","Check-in lists","Payment providers","Position order link"',
    ("pretix", "order_positions", "de"): "Kurzname der Veranstaltung;Veranstaltungstitel;Bestellnummer;Position;Status;E-Mail;Telefonnummer;Bestelldatum;Bestelluhrzeit;Produkt;Produkt-ID;Variante;Varianten-ID;Preis;Steuersatz;Steuerregel;Steuer;Name Teilnehmer*in;Name Teilnehmer*in: Vorname;Name Teilnehmer*in: Nachname;E-Mail Teilnehmer*in;Teilnehmer*innen-Firma;Adresse;Postleitzahl;Stadt;Land;Bundesstaat;Gutschein;Verwendetes Gutscheinbudget;Gutschein-Tag;Pseudonyme ID;Ticket-Code;Sitzplatz-ID;Sitzbezeichnung;Sitzbereich;Sitzreihe;Sitzplatz-Nummer;Gesperrt;Gültig ab;Gültig bis;Bestellkommentar;Datum zur Wiedervorlage;Zusatzprodukt zu Position;Abschlussjahr;Studiengang;Newsletter?;Rechnungsadresse: Firma;Rechnungsadresse: Name;Rechnungsadresse: Name: Vorname;Rechnungsadresse: Name: Nachname;Rechnungsadresse: Straße;Rechnungsadresse: PLZ;Rechnungsadresse: Stadt;Rechnungsadresse: Land;Rechnungsadresse: Bundesstaat;USt-ID-Nr.;Verkaufskanal;Bestellsprache;E-Mail-Adresse verifiziert;Externe Kundennummer;Check-in-Listen;Zahlungsmethoden;Link zur Bestellposition",
    ("pretix", "checkin_list", "en"): "Order code,Attendee name,Attendee name: Given name,Attendee name: Family name,Product,Price,Checked in,Checked out,Automatically checked in,Email,Phone number,Abschlussjahr,Company,Voucher code,Order date,Order time,Requires special attention,Comment,Check-in text,Seat ID,Seat name,Seat zone,Seat row,Seat number,Blocked,Valid from,Valid until,Address,ZIP code,City,Country,State",
    ("pretix", "checkin_list", "de"): "Bestellnummer;Name Teilnehmer*in;Teilnehmer*innenname: Vorname;Teilnehmer*innenname: Nachname;Produkt;Preis;Eingecheckt;Ausgetreten;Automatisch eingecheckt;E-Mail;Telefonnummer;Abschlussjahr;Firma;Gutscheincode;Bestelldatum;Bestelluhrzeit;Benötigt besondere Behandlung;Kommentar;Check-in-Hinweis;Sitzplatz-ID;Sitzbezeichnung;Sitzbereich;Sitzreihe;Sitzplatz-Nummer;Gesperrt;Gültig ab;Gültig bis;Adresse;Postleitzahl;Stadt;Land;Bundesstaat",
    ("pretix", "checkin_log", "de"): "Datum;Zeit;Check-in-Liste;Scan-Typ;Bestellnummer;Position;Secret;Produkt;Name;Gerät;Offline;Ggf. inkorrekte Offline-Entscheidung;Automatisch eingecheckt;Station;Ergebnis;Fehlermeldung;Upload-Datum;Upload-Zeitpunkt",
    ("pretix", "checkin_log", "en"): "Date,Time,Check-in list,Scan type,Order code,Position ID,Secret,Product,Name,Device,Offline,Offline override,Automatically checked in,Gate,Result,Error message,Upload date,Upload time",
    ("listmonk", "campaign_views", "en"): "campaign_id,campaign_uuid,campaign_name,subscriber_id,subscriber_uuid,email,subscriber_name,created_at",
    ("listmonk", "campaign_clicks", "en"): "campaign_id,campaign_uuid,campaign_name,subscriber_id,subscriber_uuid,email,subscriber_name,url,created_at",
    ("mautic", "email_stats", "en"): '"Email address",Subject,"Date sent",Read,"Date read",Clicked,Unsubscribed,Bounced,"Read delay"',
}  # fmt: skip
ZOOM_SUMMARY = "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled,Unique Viewers,Total Users,Max Concurrent Views"
ZOOM_HOST = "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name"
ZOOM_ATTENDEE = "Attended,User Name (Original Name),First Name,Last Name,Email,Phone,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name,Source Name"
TOOL_FOLDERS = ("pretix", "zoom", "listmonk", "mautic")


@pytest.fixture(scope="module")
def tools_demo(tmp_path_factory) -> tuple[Path, dict]:
    import json

    root = tmp_path_factory.mktemp("tools_demo")
    truth = generate(GenerateConfig(root, scale=0.3, seed=11, until=UNTIL))
    return root, json.loads(truth.read_text(encoding="utf-8"))


def split_line(line: str, delimiter: str) -> list[tuple[str, bool]]:
    """A physical CSV line as (value, was it quoted) pairs: quoting styles are part of the formats."""
    fields, i = [], 0
    while True:
        if line[i : i + 1] == '"':
            j, value = i + 1, []
            while True:
                k = line.index('"', j)
                value.append(line[j:k])
                if line[k + 1 : k + 2] == '"':
                    value.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            fields.append(("".join(value), True))
        else:
            k = line.find(delimiter, i)
            k = len(line) if k < 0 else k
            fields.append((line[i:k], False))
            i = k
        if i >= len(line):
            return fields
        assert line[i] == delimiter, line
        i += 1


def physical_lines(path: Path) -> tuple[list[str], bytes]:
    raw = path.read_bytes()
    text = raw[3:].decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text[: -len(newline)].split(newline), raw


def rows_of(path: Path, delimiter: str) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def xlsx_rows(path: Path) -> list[list[tuple[str, str]]]:
    """The first sheet of a workbook as rows of (cell type, value), read from its XML (no reader library)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.find("m:sheetData", ns).findall("m:row", ns):
        cells = {}
        for c in row.findall("m:c", ns):
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            index = sum((ord(ch) - 64) * 26**n for n, ch in enumerate(reversed(col))) - 1
            value = c.find("m:v", ns).text
            cells[index] = ("s", shared[int(value)]) if c.get("t") == "s" else ("n", value)
        rows.append([cells.get(i, ("", "")) for i in range(max(cells) + 1)])
    return rows


# --------------------------------------------------------------------------------------------- the files


def test_truth_covers_every_tool_file_with_its_rows(tools_demo):
    root, truth = tools_demo
    landing = root / "landing"
    on_disk = {p.relative_to(landing).as_posix() for f in TOOL_FOLDERS for p in (landing / f).rglob("*")}
    assert on_disk == set(truth["tool_files"])
    assert {meta["tool"] for meta in truth["tool_files"].values()} == set(TOOL_FOLDERS)
    for rel, meta in truth["tool_files"].items():
        lines, raw = physical_lines(landing / rel)
        assert len(lines) == meta["lines"], rel
        assert re.search(r"_\d{4}-\d{2}-\d{2}\.csv$", rel) and meta["export_date"] in rel, rel
        assert raw.startswith(b"\xef\xbb\xbf") == (meta["encoding"] == "utf-8-sig"), rel
        assert (b"\r\n" in raw) == (meta["newline"] == "crlf"), rel
        if meta["tool"] == "zoom":
            sections = {"Host Details", "Panelist Details", "Attendee Details"}
            headers = [n for n, line in enumerate(lines) if line.rstrip(",") in sections]
            data = len(lines) - 4 - 2 * len(headers)
            assert data == meta["rows"], rel
        else:
            assert meta["rows"] == len(lines) - 1, rel
    broken = truth["tool_broken_rows"]
    assert broken and {b["reason"] for b in broken} == {"missing_email"}
    for b in broken:
        lines, _ = physical_lines(landing / b["file"])
        fields = lines[b["line"] - 1].split(",")
        assert len(fields) == 14 and fields[4] == "", b  # an attendee row without e-mail


def test_headers_exactly_as_the_tools_write_them(tools_demo):
    root, truth = tools_demo
    seen = Counter()
    for rel, meta in truth["tool_files"].items():
        lines, _ = physical_lines(root / "landing" / rel)
        if meta["tool"] == "zoom":
            assert lines[0] == "Attendee Report"
            assert re.match(r'^Report Generated:,"\d{2}/\d{2}/\d{4} \d{2}:\d{2} [AP]M"$', lines[1]), rel
            assert lines[2] == ZOOM_SUMMARY
            sections = [
                line.rstrip(",") for line in lines if line.endswith("Details") or line.endswith("Details,")
            ]
            assert sections == ["Host Details", "Panelist Details", "Attendee Details"], rel
            for n, line in enumerate(lines):
                if line.rstrip(",") in ("Host Details", "Panelist Details"):
                    assert lines[n + 1] == ZOOM_HOST
                if line.rstrip(",") == "Attendee Details":
                    assert lines[n + 1] == ZOOM_ATTENDEE
        else:
            expected = HEADERS[(meta["tool"], meta["kind"], meta["language"])]
            names = [v for v, _ in split_line(lines[0], meta["delimiter"])]
            assert names == [v for v, _ in split_line(expected, meta["delimiter"])], rel
            if meta.get("format") != "excel":  # the same bytes as the tool's own example
                assert lines[0] == expected, rel
        seen[(meta["tool"], meta["kind"], meta["language"])] += 1
    assert set(HEADERS) <= set(seen)  # every kind in every language the demo promises
    assert seen[("zoom", "webinar_attendees", "en")] >= 6


def test_quoting_delimiters_and_line_endings(tools_demo):
    root, truth = tools_demo
    formats = Counter()
    for rel, meta in truth["tool_files"].items():
        lines, raw = physical_lines(root / "landing" / rel)
        assert not raw.startswith(b"\xef\xbb\xbf") or meta["tool"] == "zoom", rel
        tool, delimiter = meta["tool"], meta["delimiter"]
        if tool == "pretix":
            assert meta["newline"] == "crlf"
            formats[(meta["kind"], meta.get("format"))] += 1
        for line in lines[1:]:
            fields = split_line(line, delimiter) if tool != "zoom" else []
            if tool == "pretix" and meta.get("format") == "default":
                # QUOTE_NONNUMERIC: every string quoted, Python ints (position ids) not
                header = [v for v, _ in split_line(lines[0], ",")]
                for name, (value, quoted) in zip(header, fields, strict=True):
                    if name in ("Position ID", "Add-on to position ID") and value:
                        assert not quoted and value.isdigit(), (rel, name, value)
                    else:
                        assert quoted, (rel, name, value)
            elif tool == "pretix":
                for value, quoted in fields:
                    assert quoted == (delimiter in value or '"' in value), (rel, value)
            elif tool == "listmonk":  # Go encoding/csv
                for value, quoted in fields:
                    needs = any(c in value for c in ',"\r\n') or value.startswith(" ")
                    assert quoted == needs, (rel, value)
            elif tool == "mautic":  # PHP fputcsv: a space is reason enough
                for value, quoted in fields:
                    assert quoted == any(c in value for c in ' ,"\\\t'), (rel, value)
    assert formats[("order_positions", "default")] >= 2  # English "CSV with commas", before and after
    assert formats[("order_positions", "semicolon")] >= 2
    assert formats[("order_positions", "excel")] >= 1


def test_same_arguments_give_the_same_bytes_with_every_tool(tmp_path):
    args = {"scale": 0.05, "seed": 5, "until": date(2025, 6, 30)}
    generate(GenerateConfig(tmp_path / "a", **args))
    generate(GenerateConfig(tmp_path / "b", **args))
    a, b = tree_digest(tmp_path / "a"), tree_digest(tmp_path / "b")
    assert a == b
    assert any(k.endswith(".xlsx") for k in a)
    assert {k.split("/")[1] for k in a if k.startswith("landing/")} >= set(TOOL_FOLDERS)


def test_a_month_later_keeps_every_finished_tool_export(tmp_path):
    """Exports with a fixed download date (pretix, Zoom, finished half-years) come out byte for byte the same a
    month later; only the downloads named with `until` itself are the running ones."""
    args = {"scale": 0.05, "seed": 7}
    generate(GenerateConfig(tmp_path / "a", until=date(2025, 5, 31), **args))
    generate(GenerateConfig(tmp_path / "b", until=date(2025, 6, 30), **args))
    a, b = tmp_path / "a" / "landing", tmp_path / "b" / "landing"
    kept = 0
    for folder in TOOL_FOLDERS:
        for path in (a / folder).rglob("*.csv"):
            if "2025-05-31" in path.name:
                continue
            assert path.read_bytes() == (b / path.relative_to(a)).read_bytes(), path.name
            kept += 1
    assert kept > 30
    assert (a / "events" / "events_2024-12-31.xlsx").read_bytes() == (
        b / "events" / "events_2024-12-31.xlsx"
    ).read_bytes()


# --------------------------------------------------------------------------------------------- no double rows


def canonical_attendance(root: Path, truth: dict) -> dict[str, list[dict]]:
    broken = {(b["file"], b["line"]) for b in truth["broken_rows"]}
    by_event: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted((root / "landing" / "events").glob("attendance_*.csv")):
        rel = path.relative_to(root / "landing").as_posix()
        for line, r in read_export(path)[1]:
            if (rel, line) not in broken and "__malformed__" not in r:
                by_event[r["veranstaltungs-id"]][r["anmelde-id"]] = r
    return {k: list(v.values()) for k, v in by_event.items()}


def catalogue(root: Path) -> dict[str, dict]:
    events = {}
    for path in sorted((root / "landing" / "events").glob("events_*")):
        if path.suffix == ".xlsx":
            rows = xlsx_rows(path)
            header = [v for _, v in rows[0]]
            records = [
                dict(zip([h.lower() for h in header], [v for _, v in r], strict=False)) for r in rows[1:]
            ]
        else:
            records = [r for _, r in read_export(path)[1]]
        for r in records:
            if r.get("beginn"):
                events[r["veranstaltungs-id"]] = r
    return events


def test_tool_events_are_in_the_tool_exports_only_and_nothing_is_lost(tools_demo):
    root, truth = tools_demo
    tools = truth["facts"]["tools"]
    attendance = canonical_attendance(root, truth)
    events = catalogue(root)
    assert len(tools["pretix"]) >= 8 and len(tools["zoom"]) >= 18
    for event_id, fact in tools["pretix"].items():
        assert events[event_id]["externe id"] == fact["slug"]
        assert events[event_id]["typ"] in ("Alumnitreffen", "Karriere")
        roles = {r["rolle"] for r in attendance.get(event_id, [])}
        assert "Teilnehmer/in" not in roles, event_id  # participants come from pretix only
    for event_id, fact in tools["zoom"].items():
        assert str(events[event_id]["externe id"]).split(".")[0] == fact["webinar_id"]
        assert events[event_id]["format"] == "Online"
        assert event_id not in attendance, event_id
    # every registration of the world is in exactly one place: the portal's export or a tool's
    canonical = sum(len(rows) for rows in attendance.values())
    pretix = sum(f["registrations"] for f in tools["pretix"].values())
    zoom = sum(f["registration_rows"] + f["cancelled"] for f in tools["zoom"].values())
    assert canonical + pretix + zoom == truth["facts"]["events"]["registrations"]
    # canonical events keep their ids without an external one
    assert all(not e.get("externe id") for i, e in events.items() if i not in tools["pretix"] | tools["zoom"])


def test_tool_campaigns_have_no_canonical_activity(tools_demo):
    root, truth = tools_demo
    tools = truth["facts"]["tools"]
    assert len(tools["listmonk"]) >= 10 and len(tools["mautic"]) >= 5
    diverted = set(tools["listmonk"]) | set(tools["mautic"])
    for path in (root / "landing" / "newsletter").glob("activity_*.csv"):
        assert not {r.get("kampagnen-id") for _, r in read_export(path)[1]} & diverted, path.name
    catalogue_rows = {}
    for path in sorted((root / "landing" / "newsletter").glob("campaigns_*.csv")):
        for _, r in read_export(path)[1]:
            if r.get("versendet am") and "(Korrektur)" not in r.get("betreff", ""):
                catalogue_rows[r["kampagnen-id"]] = r
    for cid, fact in tools["listmonk"].items():
        assert catalogue_rows[cid]["externe id"] == str(fact["campaign_id"])
        assert catalogue_rows[cid]["empfänger"] == str(fact["recipients"])
    for cid in tools["mautic"]:
        assert catalogue_rows[cid]["externe id"] == "" and catalogue_rows[cid]["empfänger"] == ""
    # Mautic links by subject: several campaigns share one, the nearest send date decides
    subjects = Counter(catalogue_rows[cid]["betreff"] for cid in tools["mautic"])
    assert subjects.most_common(1)[0][1] >= 2


# --------------------------------------------------------------------------------------------- the edges


def test_pretix_statuses_add_ons_fallback_emails_and_scans(tools_demo):
    root, truth = tools_demo
    statuses, addons, empty_attendee_email = Counter(), 0, 0
    changed = 0
    scans = Counter()
    stamps = Counter()
    for rel, meta in truth["tool_files"].items():
        if meta["tool"] != "pretix":
            continue
        de = meta["language"] == "de"
        rows = rows_of(root / "landing" / rel, meta["delimiter"])
        if meta["kind"] == "order_positions":
            status_col = "Status"
            addon_col = "Zusatzprodukt zu Position" if de else "Add-on to position ID"
            email_col = "E-Mail Teilnehmer*in" if de else "Attendee email"
            statuses.update(r[status_col] for r in rows)
            addons += sum(r[addon_col] == "1" for r in rows)
            empty_attendee_email += sum(r[email_col] == "" and not r[addon_col] for r in rows)
            if meta["download"] == "after":
                earlier = [k for k, m in truth["tool_files"].items()
                           if m.get("download") == "before" and m.get("slug") == meta["slug"]]  # fmt: skip
                assert earlier, rel
                old = {
                    (r["Bestellnummer" if de else "Order code"], r["Position" if de else "Position ID"]): r[
                        status_col
                    ]
                    for r in rows_of(root / "landing" / earlier[0], meta["delimiter"])
                }
                new = {(r["Bestellnummer" if de else "Order code"], r["Position" if de else "Position ID"]): r[status_col]
                       for r in rows}  # fmt: skip
                assert set(old) <= set(new)
                changed += sum(old[k] != new[k] for k in old)
        elif meta["kind"] == "checkin_log":
            for r in rows:
                scans[(r["Scan-Typ" if de else "Scan type"], r["Ergebnis" if de else "Result"])] += 1
                assert re.match(
                    r"^\d{2}\.\d{2}\.\d{4}$" if de else r"^\d{4}-\d{2}-\d{2}$", r["Datum" if de else "Date"]
                )
        else:
            for r in rows:
                value = r["Eingecheckt" if de else "Checked in"]
                if value:
                    pattern = (
                        r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$" if de else r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"
                    )
                    assert re.match(pattern, value), value
                    stamps[meta["language"]] += 1
    for status in ("paid", "canceled", "bezahlt", "storniert", "ausstehend"):
        assert statuses[status] > 0, status
    assert (
        statuses["pending"] + statuses["ausstehend"] > 0 and statuses["expired"] + statuses["abgelaufen"] > 0
    )
    assert addons > 0 and empty_attendee_email > 0
    assert changed > 0  # the later download changed some statuses
    assert scans[("Entry", "OK")] + scans[("Eingang", "OK")] > 0
    assert scans[("Entry", "Ticket already used")] + scans[("Eingang", "Ticket bereits eingelöst")] > 0
    assert scans[("Exit", "OK")] + scans[("Ausgang", "OK")] > 0
    assert stamps["de"] > 0 and stamps["en"] > 0


def test_zoom_sessions_no_shows_and_panelists(tools_demo):
    root, truth = tools_demo
    facts = truth["facts"]["tools"]["zoom"]
    assert sum(f["speakers"] for f in facts.values()) >= len(facts)
    assert sum(f["no_shows"] for f in facts.values()) > 0
    assert sum(f["join_sessions"] for f in facts.values()) > sum(
        f["attendees"] - f["speakers"] for f in facts.values()
    )
    twice = 0
    for rel, meta in truth["tool_files"].items():
        if meta["tool"] != "zoom":
            continue
        lines, _ = physical_lines(root / "landing" / rel)
        summary = next(csv.reader([lines[3]]))
        assert re.match(r"^8\d{2} \d{4} \d{4}$", summary[1]) and summary[1].replace(" ", "") in rel
        start = lines.index(next(line for line in lines if line.startswith("Attendee Details"))) + 2
        attendees = list(csv.reader(lines[start:]))
        per_email = Counter(r[4].lower() for r in attendees if r[0] == "Yes" and r[4])
        twice += sum(n > 1 for n in per_email.values())
        for r in attendees:
            if r[0] == "No":
                assert r[8:11] == ["--", "--", "--"]
            else:
                assert re.match(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} [AP]M$", r[8]), r
    assert twice > 0


def test_listmonk_anonymous_rows_and_scanner_bursts(tools_demo):
    root, truth = tools_demo
    facts = truth["facts"]["tools"]["listmonk"]
    assert sum(f["anonymous_opens"] for f in facts.values()) > 0
    assert sum(f["views"] - f["anonymous_opens"] for f in facts.values()) > 0
    latest = max(m["export_date"] for m in truth["tool_files"].values() if m["tool"] == "listmonk")
    views = rows_of(root / "landing" / f"listmonk/campaign_views_{latest}.csv", ",")
    clicks = rows_of(root / "landing" / f"listmonk/campaign_clicks_{latest}.csv", ",")
    for r in views + clicks:
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", r["created_at"])
        if r["subscriber_id"] == "0":
            assert r["subscriber_uuid"] == r["email"] == r["subscriber_name"] == ""
        else:
            assert r["email"] == r["email"].strip().lower() and r["subscriber_uuid"]
    per_view = Counter(r["campaign_id"] for r in views if r["subscriber_id"] == "0")
    for cid, fact in facts.items():
        assert per_view[str(fact["campaign_id"])] == fact["anonymous_opens"], cid
    bursts = defaultdict(set)
    for r in clicks:
        if r["email"]:
            bursts[(r["campaign_id"], r["email"], r["created_at"])].add(r["url"])
    assert any(len(urls) >= 3 for urls in bursts.values())  # a link scanner: three links in one second


def test_mautic_dates_flags_and_read_delays(tools_demo):
    root, truth = tools_demo
    delays = Counter()
    for rel, meta in truth["tool_files"].items():
        if meta["tool"] != "mautic":
            continue
        for r in rows_of(root / "landing" / rel, ","):
            assert re.match(r"^[A-Z][a-z]+ \d{1,2}, \d{4} \d{1,2}:\d{2} [ap]m$", r["Date sent"]), r[
                "Date sent"
            ]
            for flag in ("Read", "Clicked", "Unsubscribed", "Bounced"):
                assert r[flag] in ("Yes", "No")
            if r["Read"] == "No":
                assert r["Read delay"] == "-" and r["Date read"] == ""
            else:
                assert re.match(r"^\d{2,}:\d{2}:\d{2}$", r["Read delay"])
                delays["machine" if r["Read delay"] < "00:00:02" else "human"] += 1
            delays["bounced"] += r["Bounced"] == "Yes"
    assert delays["machine"] > 0 and delays["human"] > 0 and delays["bounced"] > 0


def test_events_catalogue_as_a_workbook(tools_demo):
    root, truth = tools_demo
    path = root / "landing" / "events" / "events_2024-12-31.xlsx"
    assert path.is_file() and not path.with_suffix(".csv").exists()
    meta = truth["files"]["events/events_2024-12-31.xlsx"]
    rows = xlsx_rows(path)
    assert [v for _, v in rows[0]] == [
        "Veranstaltungs-ID", "Titel", "Typ", "Beginn", "Ort", "Land", "Format", "Veranstalter", "Club",
        "Fakultät", "Externe ID",
    ]  # fmt: skip
    assert len(rows) - 1 == meta["rows"] and meta["format"] == "xlsx"
    starts = [r[3] for r in rows[1:] if r[3][1]]
    assert starts and all(kind == "n" for kind, _ in starts)  # typed date cells, not text
    ids = [r[10] for r in rows[1:] if len(r) > 10 and r[10][1]]
    assert {kind for kind, _ in ids} == {"s", "n"}  # some webinar ids typed as numbers, as Excel does

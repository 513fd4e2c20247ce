"""The demo world as the office's tools export it: pretix, Zoom, listmonk and Mautic (TOOLS.md, TOOL_FORMATS.md).

From some year on the office runs its central meetings and career evenings on pretix, its online lecture series
on Zoom webinars and its newsletter first on listmonk, then on Mautic. For those events and campaigns the
generator writes the tools' exports *instead of* the canonical rows (never both): `ToolExports` decides what is
diverted, and one writer per tool writes the files exactly as the tool does (headers in the tool's language,
delimiter, quoting, line endings, date spellings). Volunteers who buy no ticket (mentors, helpers, organisers
of a pretix event) stay in the canonical attendance export, as an office keeps them.

Everything here is deterministic: each event draws from its own random stream (seeded by its id), the
newsletter writers only re-spell what the simulation decided, so the world's existing streams are untouched and a
later `--until` adds files without changing the ones an earlier run wrote.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from pipelines.demo import reference as ref

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = datetime(1970, 1, 1)

# From which year each tool speaks for the office.
ZOOM_FROM = 2022  # Ringvorlesung (online) as Zoom webinar attendee reports
PRETIX_FROM = 2023  # Alumnitreffen and Karriere events as pretix exports
LISTMONK_YEAR = 2024  # the newsletter's campaigns of this year as listmonk views and clicks
MAUTIC_FROM = 2025  # the newsletter's campaigns from this year on as Mautic "Emails sent" reports
XLSX_EVENTS_YEAR = 2024  # this year's events catalogue is kept in Excel
CATALOGUE_IDS_FROM = ZOOM_FROM  # catalogues carry `Externe ID` (campaigns also `Empfänger`) from this year on
LISTMONK_TRACKING_FROM = date(
    2024, 4, 1
)  # listmonk's individual tracking is off by default: anonymous before

# ----------------------------------------------------------------------------- headers (TOOL_FORMATS.md)

PRETIX_POSITIONS_EN = [
    "Event slug", "Event name", "Order code", "Position ID", "Status", "Email", "Phone number", "Order date",
    "Order time", "Product", "Product ID", "Variation", "Variation ID", "Price", "Tax rate", "Tax rule",
    "Tax value", "Attendee name", "Attendee name: Given name", "Attendee name: Family name", "Attendee email",
    "Attendee company", "Address", "ZIP code", "City", "Country", "State", "Voucher", "Voucher budget usage",
    "Voucher tag", "Pseudonymization ID", "Ticket secret", "Seat ID", "Seat name", "Seat zone", "Seat row",
    "Seat number", "Blocked", "Valid from", "Valid until", "Order comment", "Follow-up date",
    "Add-on to position ID", "Abschlussjahr", "Studiengang", "Newsletter?", "Invoice address company",
    "Invoice address name", "Invoice address name: Given name", "Invoice address name: Family name",
    "Invoice address street", "Invoice address ZIP code", "Invoice address city", "Invoice address country",
    "Invoice address state", "VAT ID", "Sales channel", "Order locale", "Email address verified",
    "External customer ID", "Check-in lists", "Payment providers", "Position order link",
]  # fmt: skip
PRETIX_POSITIONS_DE = [
    "Kurzname der Veranstaltung", "Veranstaltungstitel", "Bestellnummer", "Position", "Status", "E-Mail",
    "Telefonnummer", "Bestelldatum", "Bestelluhrzeit", "Produkt", "Produkt-ID", "Variante", "Varianten-ID",
    "Preis", "Steuersatz", "Steuerregel", "Steuer", "Name Teilnehmer*in", "Name Teilnehmer*in: Vorname",
    "Name Teilnehmer*in: Nachname", "E-Mail Teilnehmer*in", "Teilnehmer*innen-Firma", "Adresse", "Postleitzahl",
    "Stadt", "Land", "Bundesstaat", "Gutschein", "Verwendetes Gutscheinbudget", "Gutschein-Tag",
    "Pseudonyme ID", "Ticket-Code", "Sitzplatz-ID", "Sitzbezeichnung", "Sitzbereich", "Sitzreihe",
    "Sitzplatz-Nummer", "Gesperrt", "Gültig ab", "Gültig bis", "Bestellkommentar", "Datum zur Wiedervorlage",
    "Zusatzprodukt zu Position", "Abschlussjahr", "Studiengang", "Newsletter?", "Rechnungsadresse: Firma",
    "Rechnungsadresse: Name", "Rechnungsadresse: Name: Vorname", "Rechnungsadresse: Name: Nachname",
    "Rechnungsadresse: Straße", "Rechnungsadresse: PLZ", "Rechnungsadresse: Stadt", "Rechnungsadresse: Land",
    "Rechnungsadresse: Bundesstaat", "USt-ID-Nr.", "Verkaufskanal", "Bestellsprache",
    "E-Mail-Adresse verifiziert", "Externe Kundennummer", "Check-in-Listen", "Zahlungsmethoden",
    "Link zur Bestellposition",
]  # fmt: skip
PRETIX_CHECKIN_LIST_EN = [
    "Order code", "Attendee name", "Attendee name: Given name", "Attendee name: Family name", "Product", "Price",
    "Checked in", "Checked out", "Automatically checked in", "Email", "Phone number", "Abschlussjahr", "Company",
    "Voucher code", "Order date", "Order time", "Requires special attention", "Comment", "Check-in text",
    "Seat ID", "Seat name", "Seat zone", "Seat row", "Seat number", "Blocked", "Valid from", "Valid until",
    "Address", "ZIP code", "City", "Country", "State",
]  # fmt: skip
PRETIX_CHECKIN_LIST_DE = [
    "Bestellnummer", "Name Teilnehmer*in", "Teilnehmer*innenname: Vorname", "Teilnehmer*innenname: Nachname",
    "Produkt", "Preis", "Eingecheckt", "Ausgetreten", "Automatisch eingecheckt", "E-Mail", "Telefonnummer",
    "Abschlussjahr", "Firma", "Gutscheincode", "Bestelldatum", "Bestelluhrzeit", "Benötigt besondere Behandlung",
    "Kommentar", "Check-in-Hinweis", "Sitzplatz-ID", "Sitzbezeichnung", "Sitzbereich", "Sitzreihe",
    "Sitzplatz-Nummer", "Gesperrt", "Gültig ab", "Gültig bis", "Adresse", "Postleitzahl", "Stadt", "Land",
    "Bundesstaat",
]  # fmt: skip
PRETIX_CHECKIN_LOG_EN = [
    "Date", "Time", "Check-in list", "Scan type", "Order code", "Position ID", "Secret", "Product", "Name",
    "Device", "Offline", "Offline override", "Automatically checked in", "Gate", "Result", "Error message",
    "Upload date", "Upload time",
]  # fmt: skip
PRETIX_CHECKIN_LOG_DE = [
    "Datum", "Zeit", "Check-in-Liste", "Scan-Typ", "Bestellnummer", "Position", "Secret", "Produkt", "Name",
    "Gerät", "Offline", "Ggf. inkorrekte Offline-Entscheidung", "Automatisch eingecheckt", "Station", "Ergebnis",
    "Fehlermeldung", "Upload-Datum", "Upload-Zeitpunkt",
]  # fmt: skip
ZOOM_SUMMARY = [
    "Topic", "Webinar ID", "Actual Start Time", "Actual Duration (minutes)", "# Registered", "# Cancelled",
    "Unique Viewers", "Total Users", "Max Concurrent Views",
]  # fmt: skip
ZOOM_HOST = [
    "Attended", "User Name (Original Name)", "Email", "Join Time", "Leave Time", "Time in Session (minutes)",
    "Is Guest", "Country/Region Name",
]  # fmt: skip
ZOOM_ATTENDEE = [
    "Attended", "User Name (Original Name)", "First Name", "Last Name", "Email", "Phone", "Registration Time",
    "Approval Status", "Join Time", "Leave Time", "Time in Session (minutes)", "Is Guest", "Country/Region Name",
    "Source Name",
]  # fmt: skip
LISTMONK_VIEWS = [
    "campaign_id", "campaign_uuid", "campaign_name", "subscriber_id", "subscriber_uuid", "email",
    "subscriber_name", "created_at",
]  # fmt: skip
LISTMONK_CLICKS = LISTMONK_VIEWS[:7] + ["url", "created_at"]
MAUTIC_EMAILS_SENT = [
    "Email address", "Subject", "Date sent", "Read", "Date read", "Clicked", "Unsubscribed", "Bounced",
    "Read delay",
]  # fmt: skip

# pretix's words in its two languages
PRETIX_WORDS = {
    "en": {
        "paid": "paid", "pending": "pending", "expired": "expired", "canceled": "canceled", "yes": "Yes",
        "no": "No", "entry": "Entry", "exit": "Exit", "ok": "OK", "already used": "Ticket already used",
        "order canceled": "Order canceled", "channel": "Online shop", "bank": "Bank transfer",
        "free": "Free of charge",
    },
    "de": {
        "paid": "bezahlt", "pending": "ausstehend", "expired": "abgelaufen", "canceled": "storniert",
        "yes": "Ja", "no": "Nein", "entry": "Eingang", "exit": "Ausgang", "ok": "OK",
        "already used": "Ticket bereits eingelöst", "order canceled": "Bestellung storniert",
        "channel": "Online-Shop", "bank": "Banküberweisung", "free": "Kostenlos",
    },
}  # fmt: skip
ORDER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"
SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
MONTHS_DE = ["jan", "feb", "mrz", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"]
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]  # fmt: skip
OFFICE_ACCOUNT = ("Alumni-Büro TU Chemnitz", "alumni-buero@tu-chemnitz.example")

# ----------------------------------------------------------------------------- time spellings


def local(seconds: int) -> datetime:
    """The simulation counts naive Europe/Berlin seconds since 1970-01-01 00:00."""
    return EPOCH + timedelta(seconds=int(seconds))


def day_of(seconds: int) -> date:
    return local(seconds).date()


def day_start(d: date) -> int:
    return (d - EPOCH.date()).days * 86400


_UTC_OFFSETS: dict[int, int] = {}


def rfc3339_utc(seconds: int) -> str:
    """listmonk's `created_at`: `time.RFC3339` in the database session's zone (UTC), no fractions."""
    hour = int(seconds) // 3600
    offset = _UTC_OFFSETS.get(hour)
    if offset is None:
        delta = local(hour * 3600).replace(tzinfo=BERLIN).utcoffset()
        offset = _UTC_OFFSETS[hour] = int(delta.total_seconds())
    return (local(int(seconds) - offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


def zoom_time(seconds: int) -> str:
    return local(seconds).strftime("%m/%d/%Y %I:%M:%S %p")


_MAUTIC_MINUTES: dict[int, str] = {}


def mautic_time(seconds: int) -> str:
    """Mautic's default `F j, Y g:i a` in the user's zone (Europe/Berlin): `March 5, 2024 3:19 pm`."""
    minute = int(seconds) // 60
    text = _MAUTIC_MINUTES.get(minute)
    if text is None:
        t = local(minute * 60)
        hour = t.hour % 12 or 12
        ampm = "am" if t.hour < 12 else "pm"
        text = _MAUTIC_MINUTES[minute] = (
            f"{MONTHS_EN[t.month - 1]} {t.day}, {t.year} {hour}:{t.minute:02d} {ampm}"
        )
    return text


def duration(seconds: int) -> str:
    """MySQL TIMEDIFF as Mautic shows it: `HH:MM:SS` (hours may exceed 24)."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# ----------------------------------------------------------------------------- quoting styles


def go_csv_field(value: str) -> str:
    """Go `encoding/csv`: quote only a field with a delimiter, quote, CR or LF, or a leading space."""
    if value and (any(c in value for c in ',"\r\n') or value[0] in " \t"):
        return '"' + value.replace('"', '""') + '"'
    return value


_PHP_QUOTED = re.compile(r'[,"\\ \t\r\n]')


def php_csv_field(value: str) -> str:
    """PHP `fputcsv`: quote a field with a delimiter, quote, backslash, space, tab, CR or LF."""
    if _PHP_QUOTED.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def excel_csv_field(value: str, delimiter: str = ",") -> str:
    """Python's `csv` excel dialect (QUOTE_MINIMAL), as Zoom's report looks."""
    if value and any(c in value for c in delimiter + '"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


@dataclass
class ToolFile:
    """One tool export being written: physical lines counted so the truth file can point at any of them."""

    path: Path
    tool: str
    kind: str
    language: str
    delimiter: str = ","
    newline: str = "\n"
    bom: bool = False
    lines: int = 0
    rows: int = 0
    _out: list[str] = field(default_factory=list)
    _handle: object = None

    def line(self, text: str, data: bool = True) -> int:
        """Write one physical line (already formatted); return its line number."""
        assert "\n" not in text and "\r" not in text
        self._out.append(text)
        self.lines += 1
        self.rows += data
        if len(self._out) >= 4096:
            self.flush()
        return self.lines

    def flush(self) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("wb")
            if self.bom:
                self._handle.write(b"\xef\xbb\xbf")
        if self._out:
            self._handle.write((self.newline.join(self._out) + self.newline).encode("utf-8"))
            self._out.clear()

    def close(self) -> None:
        self.flush()
        self._handle.close()


def pretix_file(path: Path, kind: str, language: str, fmt: str) -> tuple[ToolFile, csv.Dialect]:
    """pretix's three CSV formats: `default` (commas, QUOTE_NONNUMERIC), `excel`, `semicolon`; all CRLF."""
    delimiter = ";" if fmt == "semicolon" else ","
    out = ToolFile(path, "pretix", kind, language, delimiter=delimiter, newline="\r\n")
    quoting = csv.QUOTE_NONNUMERIC if fmt == "default" else csv.QUOTE_MINIMAL
    return out, {"delimiter": delimiter, "quoting": quoting, "lineterminator": "\n"}


def write_csv_row(out: ToolFile, dialect: dict, values: list, data: bool = True) -> int:
    buffer = io.StringIO()
    csv.writer(buffer, **dialect).writerow(values)
    return out.line(buffer.getvalue()[:-1], data)


# ----------------------------------------------------------------------------- the office's tools


class ToolExports:
    """Decides which events and campaigns a tool speaks for, and writes those tools' exports."""

    def __init__(self, gen: DemoGenerator) -> None:
        self.gen = gen
        self.config = gen.config
        self.landing = gen.landing
        self.truth = gen.truth
        self.until = gen.config.until
        self.files: list[ToolFile] = []
        self.facts: dict[str, dict] = {"pretix": {}, "zoom": {}, "listmonk": {}, "mautic": {}}
        self.campaign_ids: dict[str, tuple[str, int]] = {}  # cid -> (Externe ID, Empfänger)
        self.listmonk = ListmonkWriter(self)
        self.mautic = MauticWriter(self)

    # ---------------------------------------------------------------- shared
    def event_rng(self, event_id: str, part: int) -> np.random.Generator:
        _, year, number = event_id.split("-")
        return np.random.default_rng([self.config.seed, 30 + part, int(year), int(number)])

    def hash_uuid(self, *parts: object) -> str:
        digest = hashlib.sha256("|".join(str(p) for p in (self.config.seed, *parts)).encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def exported(self, d: date) -> bool:
        return d <= self.until

    def open(self, out: ToolFile) -> ToolFile:
        self.files.append(out)
        return out

    def close(self, out: ToolFile, export_date: date, **extra) -> None:
        out.close()
        rel = out.path.relative_to(self.landing).as_posix()
        self.truth.tool_files[rel] = {
            "tool": out.tool,
            "kind": out.kind,
            "language": out.language,
            "rows": out.rows,
            "lines": out.lines,
            "encoding": "utf-8-sig" if out.bom else "utf-8",
            "delimiter": out.delimiter,
            "newline": "crlf" if out.newline == "\r\n" else "lf",
            "export_date": export_date.isoformat(),
            **extra,
        }

    def broken(self, out: ToolFile, line: int, column: str, reason: str) -> None:
        self.truth.tool_broken_rows.append(
            {
                "tool": out.tool,
                "kind": out.kind,
                "file": out.path.relative_to(self.landing).as_posix(),
                "line": line,
                "column": column,
                "reason": reason,
            }
        )

    # ---------------------------------------------------------------- events
    def event_tool(self, ev: dict) -> str | None:
        year = int(ev["id"].split("-")[1])
        if ev["type"] in ("Alumnitreffen", "Karriere") and year >= PRETIX_FROM:
            return "pretix"
        if ev["type"] == "Ringvorlesung" and year >= ZOOM_FROM:
            return "zoom"
        return None

    def event_external_id(self, ev: dict) -> str:
        """`Externe ID` of the catalogue: the pretix event slug, or the Zoom webinar id (digits only)."""
        tool = self.event_tool(ev)
        start = local(ev["start"])
        if tool == "pretix":
            if ev["type"] == "Alumnitreffen":
                return f"alumnitreffen{start.year}"
            return f"karriere{start.year}{MONTHS_DE[start.month - 1]}"
        if tool == "zoom":
            rng = self.event_rng(ev["id"], 0)
            return "8" + "".join(str(d) for d in rng.integers(0, 10, 10))
        return ""

    def diverts_registration(self, ev: dict, reg: list) -> bool:
        """A tool event's registrations come from the tool, not the portal; pretix sells no mentor tickets."""
        tool = self.event_tool(ev)
        if tool == "zoom":
            return True
        return tool == "pretix" and reg[7] == "Teilnehmer/in"

    def write_event_exports(self, events: list[dict], registrations: dict[str, list[list]]) -> None:
        pretix, zoom = PretixWriter(self), ZoomWriter(self)
        for ev in events:
            tool = self.event_tool(ev)
            regs = [r for r in registrations.get(ev["id"], []) if self.diverts_registration(ev, r)]
            if tool == "pretix":
                pretix.event(ev, regs)
                if ev["id"] in self.facts["pretix"]:  # who buys no ticket: in the portal's attendance export
                    volunteers = len(registrations.get(ev["id"], [])) - len(regs)
                    self.facts["pretix"][ev["id"]]["volunteers_in_canonical"] = volunteers
            elif tool == "zoom":
                zoom.webinar(ev, regs)

    # ---------------------------------------------------------------- newsletter
    def campaign_tool(self, sent_at: int) -> str | None:
        year = day_of(sent_at).year
        if year == LISTMONK_YEAR:
            return "listmonk"
        if year >= MAUTIC_FROM:
            return "mautic"
        return None

    def divert_campaign(self, campaign: tuple, rows: list[tuple], members, email_idx) -> bool:
        """Called with a campaign's simulated rows (grouped by recipient, each group led by its `sent` row)."""
        tool = self.campaign_tool(campaign[3])
        if tool == "listmonk":
            self.listmonk.campaign(campaign, rows, members, email_idx)
        elif tool == "mautic":
            self.mautic.campaign(campaign, rows)
        else:
            return False
        return True

    def campaign_catalogue_extra(self, cid: str) -> list[str]:
        externe, recipients = self.campaign_ids.get(cid, ("", None))
        return [externe, "" if recipients is None else str(recipients)]

    def finish(self) -> None:
        self.listmonk.finish()
        self.mautic.finish()
        self.truth.facts["tools"] = self.facts

    # ---------------------------------------------------------------- people
    def person(self, reg: list, rng: np.random.Generator) -> dict:
        """Name, address as typed, graduation year and programme of a registration's person."""
        net = self.gen.net
        m = reg[8]
        if m < 0:  # a guest from outside the network
            female = rng.random() < 0.5
            first = (ref.FIRST_NAMES_F if female else ref.FIRST_NAMES_M)[int(rng.integers(0, 40))]
            last = ref.LAST_NAMES[int(rng.integers(0, len(ref.LAST_NAMES)))]
            return {"first": first, "last": last, "title": "", "email": reg[2], "year": "", "programme": "",
                    "country": "Germany", "member": -1}  # fmt: skip
        signed = reg[4] // 86400
        email = net.emails[net.email_index_at(np.array([m]), signed)[0]]
        if rng.random() < 0.08:  # typed with capitals; the tools keep what people type
            email = email.capitalize()
        city_idx = net.city_at(np.array([m]), signed)[0]
        code = net.cities[city_idx][1]
        country = ref.countries().get(code, {}).get("name_en", "Germany")
        return {
            "first": net.first[m],
            "last": net.last[m],
            "title": net.title[m],
            "email": email,
            "year": str(net.grad_year[m]) if net.grad_year[m] else "",
            "programme": net.programme[m],
            "country": country,
            "member": m,
        }


# ----------------------------------------------------------------------------- pretix


@dataclass
class Position:
    code: str
    position_id: int
    status_pre: str | None  # status in the download before the event (None: not ordered yet)
    status: str  # status in the download after the event
    product: str
    product_id: str
    price: str
    ordered: int  # seconds
    person: dict
    attendee_email: str
    addon_to: int | None = None
    checkin: int | None = None
    exit: int | None = None
    double_scan: bool = False
    secret: str = ""
    pseudonym: str = ""
    link: str = ""
    bank: bool = False
    newsletter: bool = False
    rejected_at: int | None = None  # a cancelled ticket shown at the door


class PretixWriter:
    """Order positions (downloaded before and after the event), check-in log and check-in list."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        self.karriere_count: dict[int, int] = {}

    def _style(self, ev: dict) -> tuple[str, str]:
        """(language, CSV format) of an event's exports: the office's staff export in their UI language."""
        year = local(ev["start"]).year
        if ev["type"] == "Alumnitreffen":
            return ("en", "default") if year % 4 == 3 else ("de", "semicolon")
        n = self.karriere_count[year] = self.karriere_count.get(year, 0) + 1
        return ("en", "excel") if n == 2 else ("de", "semicolon")

    def event(self, ev: dict, regs: list[list]) -> None:
        tools = self.tools
        rng = tools.event_rng(ev["id"], 1)
        slug = ev["external_id"]
        language, fmt = self._style(ev)
        words = PRETIX_WORDS[language]
        start = ev["start"]
        event_day = day_of(start)
        pre_day, post_day = event_day - timedelta(days=2), event_day + timedelta(days=3)
        pre_end = day_start(pre_day) + 86400
        meeting = ev["type"] == "Alumnitreffen"
        product = ("Teilnahme Alumnitreffen", "112") if meeting else ("Teilnahme Karriereabend", "201")
        codes: set[str] = set()
        positions: list[Position] = []
        for reg in regs:
            person = tools.person(reg, rng)
            code = ""
            while not code or code in codes:
                code = "".join(ORDER_CODE_ALPHABET[i] for i in rng.integers(0, len(ORDER_CODE_ALPHABET), 5))
            codes.add(code)
            ordered = (reg[4] // 86400) * 86400 + int(rng.integers(7 * 3600, 23 * 3600))
            cancelled, attended = reg[5] == "storniert", reg[6] is not None
            addon = meeting and rng.random() < 0.35  # a dinner ticket, paid by card or bank transfer
            bank = addon and rng.random() < 0.5
            u = rng.random()
            if meeting and cancelled and u < 0.4:
                status, addon, bank = "expired", True, True  # ordered the dinner, never paid
            elif meeting and not cancelled and not attended and u < 0.3:
                status, addon, bank = "pending", True, True  # meant to pay at the door, never came
            else:
                status = "canceled" if cancelled else "paid"
            # a bank transfer takes days; an unpaid order expires after 14; a cancellation comes any time
            paid_at = ordered + int(rng.integers(1, 10)) * 86400 if bank else ordered
            if status == "expired":
                change = min(ordered + 14 * 86400, start - 3600)
            else:
                change = ordered + int(rng.random() * max(start - ordered, 3600))
            if ordered >= pre_end:
                status_pre = None  # ordered after the first download
            elif status in ("canceled", "expired") and change >= pre_end:
                status_pre = "pending" if bank else "paid"
            elif status == "paid" and paid_at >= pre_end:
                status_pre = "pending"
            else:
                status_pre = status
            attendee_email = person["email"] if rng.random() < 0.75 else ""  # else: the order's e-mail
            checkin = reg[6]
            pos = Position(
                code=code,
                position_id=1,
                status_pre=status_pre,
                status=status,
                product=product[0],
                product_id=product[1],
                price="0.00",
                ordered=ordered,
                person=person,
                attendee_email=attendee_email,
                checkin=checkin,
                exit=start + int(rng.integers(4 * 3600, 8 * 3600))
                if checkin and rng.random() < 0.25
                else None,
                double_scan=bool(checkin) and rng.random() < 0.05,
                bank=bank,
                newsletter=rng.random() < 0.6,
            )
            self._secrets(pos, rng, slug)
            positions.append(pos)
            if addon:
                dinner = Position(
                    code=code,
                    position_id=2,
                    status_pre=status_pre,
                    status=status,
                    product="Abendessen",
                    product_id="115",
                    price="35.00",
                    ordered=ordered,
                    person=person,
                    attendee_email="",
                    addon_to=1,
                    checkin=start + int(rng.integers(8 * 3600 + 1800, 9 * 3600 + 600)) if checkin else None,
                    bank=bank,
                )
                self._secrets(dinner, rng, slug)
                positions.append(dinner)
        rejected_scan = next((p for p in positions if p.status == "canceled" and p.addon_to is None), None)
        if rejected_scan is not None and rng.random() < 0.6:
            rejected_scan.rejected_at = start - int(rng.integers(0, 1800))

        stem = f"pretix/{slug}"
        files = []
        for when, pre in ((pre_day, True), (post_day, False)):
            if not tools.exported(when):
                continue
            rows = [p for p in positions if (p.status_pre if pre else p.status) is not None]
            path = tools.landing / f"{stem}_orders_{when.isoformat()}.csv"
            files.append(path.name)
            self._positions(path, ev, slug, rows, language, fmt, words, pre, when)
        log_day = event_day + timedelta(days=1)
        if meeting and tools.exported(log_day):
            path = tools.landing / f"{stem}_checkinlog_{log_day.isoformat()}.csv"
            files.append(path.name)
            self._checkin_log(path, positions, language, fmt, words, log_day)
        if tools.exported(log_day):
            path = tools.landing / f"{stem}_checkin_haupteingang_{log_day.isoformat()}.csv"
            files.append(path.name)
            self._checkin_list(path, positions, language, fmt, words, log_day)
        if not files:
            return
        final = [p for p in positions if p.addon_to is None]
        seen = [p for p in final if (p.status if tools.exported(post_day) else p.status_pre) is not None]
        status_of = {id(p): (p.status if tools.exported(post_day) else p.status_pre) for p in seen}
        attended = tools.exported(log_day)
        tools.facts["pretix"][ev["id"]] = {
            "slug": slug,
            "language": language,
            "files": files,
            "registrations": len(seen),
            "cancellations": sum(status_of[id(p)] in ("canceled", "expired") for p in seen),
            "attendees": sum(p.checkin is not None for p in seen) if attended else 0,
            "addon_positions": sum(p.addon_to is not None for p in positions),
            "statuses": {
                s: sum(status_of[id(p)] == s for p in seen)
                for s in ("paid", "pending", "canceled", "expired")
            },
            "empty_attendee_email": sum(p.attendee_email == "" for p in seen),
        }

    @staticmethod
    def _secrets(pos: Position, rng: np.random.Generator, slug: str) -> None:
        def draw(alphabet: str, n: int) -> str:
            return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), n))

        pos.secret = draw(SECRET_ALPHABET, 28)
        pos.pseudonym = draw(ORDER_CODE_ALPHABET, 10)
        pos.link = (
            f"https://tickets.example.org/tu-chemnitz-alumni/{slug}/ticket/{pos.code}/{pos.position_id}/"
            f"{draw(SECRET_ALPHABET, 16)}/"
        )

    @staticmethod
    def _price(text: str, language: str) -> str:
        return text.replace(".", ",") if language == "de" else text

    def _positions(self, path, ev, slug, rows, language, fmt, words, pre, when) -> None:
        header = PRETIX_POSITIONS_EN if language == "en" else PRETIX_POSITIONS_DE
        out, dialect = pretix_file(path, "order_positions", language, fmt)
        self.tools.open(out)
        write_csv_row(out, dialect, header, data=False)
        title = ev["title"]
        for p in rows:
            person = p.person
            status = p.status_pre if pre else p.status
            name = " ".join(x for x in (person["title"], person["first"], person["last"]) if x)
            t = local(p.ordered)
            priced = p.price != "0.00"
            values = {
                "Event slug": slug,
                "Event name": title,
                "Order code": p.code,
                "Position ID": p.position_id,  # an int: unquoted even in QUOTE_NONNUMERIC
                "Status": words[status],
                "Email": person["email"],
                "Order date": t.strftime("%Y-%m-%d"),
                "Order time": t.strftime("%H:%M:%S"),
                "Product": p.product,
                "Product ID": p.product_id,
                "Price": self._price(p.price, language),
                "Tax rate": self._price("19.00" if priced else "0.00", language),
                "Tax rule": "Standard" if priced else "",
                "Tax value": self._price("5.59" if priced else "0.00", language),
                "Attendee name": name,
                "Attendee name: Given name": person["first"],
                "Attendee name: Family name": person["last"],
                "Attendee email": p.attendee_email,
                "Pseudonymization ID": p.pseudonym,
                "Ticket secret": p.secret,
                "Add-on to position ID": p.addon_to if p.addon_to is not None else "",
                "Abschlussjahr": "" if p.addon_to else person["year"],
                "Studiengang": "" if p.addon_to else person["programme"],
                "Newsletter?": "" if p.addon_to else words["yes" if p.newsletter else "no"],
                "Sales channel": words["channel"],
                "Order locale": language,
                "Email address verified": words["no"],
                "Check-in lists": "Abendessen" if p.addon_to else "Haupteingang",
                "Payment providers": words["bank"] if p.bank else "",
                "Position order link": p.link,
            }
            write_csv_row(out, dialect, [values.get(h, "") for h in PRETIX_POSITIONS_EN])
        self.tools.close(
            out, when, event_id=ev["id"], slug=slug, format=fmt, download="before" if pre else "after"
        )

    def _checkin_log(self, path, positions, language, fmt, words, when) -> None:
        header = PRETIX_CHECKIN_LOG_EN if language == "en" else PRETIX_CHECKIN_LOG_DE
        out, dialect = pretix_file(
            path, "checkin_log", language, "semicolon" if language == "de" else "excel"
        )
        self.tools.open(out)
        write_csv_row(out, dialect, header, data=False)
        day_fmt = "%d.%m.%Y" if language == "de" else "%Y-%m-%d"
        scans = []  # (seconds, position, scan type, result, offline, upload delay)
        for p in positions:
            if p.checkin is not None:
                scans.append((p.checkin, p, "entry", "ok", False, 0))
                if p.double_scan:
                    scans.append((p.checkin + 60, p, "entry", "already used", True, 540))
                if p.exit is not None:
                    scans.append((p.exit, p, "exit", "ok", False, 0))
            if p.rejected_at is not None:
                scans.append((p.rejected_at, p, "entry", "order canceled", False, 0))
        scans.sort(key=lambda s: (s[0], s[1].code, s[1].position_id))
        device = ["#3: Einlass 1 (Apple iPad Air)", "#4: Einlass 2 (Apple iPad Air)"]
        for n, (t, p, kind, result, offline, delay) in enumerate(scans):
            seen, uploaded = local(t), local(t + delay)
            name = " ".join(x for x in (p.person["title"], p.person["first"], p.person["last"]) if x)
            write_csv_row(
                out,
                dialect,
                [
                    seen.strftime(day_fmt),
                    seen.strftime("%H:%M"),
                    "Abendessen" if p.addon_to else "Haupteingang",
                    words[kind],
                    p.code,
                    p.position_id,
                    p.secret,
                    p.product,
                    name,
                    device[n % 2],
                    words["yes" if offline else "no"],
                    words["no"],
                    words["no"],
                    "Foyer",
                    words[result],
                    "",
                    uploaded.strftime(day_fmt),
                    uploaded.strftime("%H:%M"),
                ],
            )
        self.tools.close(out, when, format="semicolon" if language == "de" else "excel")

    def _checkin_list(self, path, positions, language, fmt, words, when) -> None:
        header = PRETIX_CHECKIN_LIST_EN if language == "en" else PRETIX_CHECKIN_LIST_DE
        list_fmt = "semicolon" if language == "de" else "excel"
        out, dialect = pretix_file(path, "checkin_list", language, list_fmt)
        self.tools.open(out)
        write_csv_row(out, dialect, header, data=False)
        stamp = "%d.%m.%Y %H:%M" if language == "de" else "%Y-%m-%d %H:%M"
        # the list "Haupteingang" covers the participation product of paid orders
        for p in sorted(positions, key=lambda p: (p.person["last"], p.person["first"], p.code)):
            if p.addon_to is not None or p.status != "paid":
                continue
            person = p.person
            name = " ".join(x for x in (person["title"], person["first"], person["last"]) if x)
            t = local(p.ordered)
            write_csv_row(
                out,
                dialect,
                [
                    p.code,
                    name,
                    person["first"],
                    person["last"],
                    p.product,
                    self._price(p.price, language),
                    local(p.checkin).strftime(stamp) if p.checkin is not None else "",
                    local(p.exit).strftime(stamp) if p.exit is not None else "",
                    words["no"],
                    p.attendee_email or person["email"],
                    "",
                    person["year"],
                    "",
                    "",
                    t.strftime("%Y-%m-%d"),
                    t.strftime("%H:%M:%S"),
                    words["no"],
                ]
                + [""] * 15,
            )
        self.tools.close(out, when, format=list_fmt)


# ----------------------------------------------------------------------------- Zoom


class ZoomWriter:
    """One webinar attendee report per lecture, generated the day after."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        self.first_of_year: set[int] = set()

    def webinar(self, ev: dict, regs: list[list]) -> None:
        tools = self.tools
        rng = tools.event_rng(ev["id"], 2)
        start = ev["start"]
        event_day = day_of(start)
        year = event_day.year
        report_day = event_day + timedelta(days=1)
        first_of_year = year not in self.first_of_year
        self.first_of_year.add(year)
        if not tools.exported(report_day):
            return
        webinar_id = ev["external_id"]
        spaced = f"{webinar_id[:3]} {webinar_id[3:7]} {webinar_id[7:]}"
        actual_start = start + int(rng.integers(0, 240))
        length = int(rng.integers(70, 100)) * 60
        end = actual_start + length
        panelists, attendees = [], []  # rows as lists of strings
        cancelled = 0
        written = 0  # registrations (not rows: a person may join twice) in the attendee section
        sessions = 0
        emails_attended: set[str] = set()
        registered: set[str] = set()
        for reg in regs:
            person = tools.person(reg, rng)
            email = person["email"]
            name = f"{person['first']} {person['last']}"
            if reg[7] == "Referent/in":
                join = start - int(rng.integers(10, 25)) * 60
                leave = end + int(rng.integers(0, 300))
                panelists.append(
                    ["Yes", name, email, zoom_time(join), zoom_time(leave), str(round((leave - join) / 60)),
                     "Yes", person["country"]]
                )  # fmt: skip
                registered.add(email.lower())
                emails_attended.add(email.lower())
                continue
            if reg[5] == "storniert":
                cancelled += 1
                continue
            registered.add(email.lower())
            written += 1
            reg_time = (reg[4] // 86400) * 86400 + int(rng.integers(7 * 3600, 23 * 3600))
            source = ["Newsletter", "Website", ""][int(rng.integers(0, 3))]
            base = [person["first"], person["last"], email, "", zoom_time(reg_time), "approved"]
            if reg[6] is None:
                attendees.append(["No", name, *base, "--", "--", "--", "Yes", person["country"], source])
                continue
            emails_attended.add(email.lower())
            join = actual_start + (reg[6] - start) // 6 + int(rng.integers(0, 300))
            leave = (
                end - int(rng.integers(0, 1200))
                if rng.random() < 0.8
                else join + int(rng.integers(600, 2400))
            )
            parts = [(join, leave)]
            if rng.random() < 0.15:  # dropped out and joined again (another device, a lost connection)
                cut = join + int((leave - join) * rng.uniform(0.2, 0.7))
                parts = [(join, cut), (cut + int(rng.integers(30, 400)), leave)]
            for a, b in parts:
                if b <= a:
                    b = a + 60
                sessions += 1
                user = name if a == join else f"{name} (iPhone)"
                attendees.append(
                    ["Yes", user, *base, zoom_time(a), zoom_time(b), str(max(1, round((b - a) / 60))), "Yes",
                     person["country"], source]
                )  # fmt: skip
        dial_in = first_of_year or rng.random() < 0.25
        phone_row = None
        if dial_in and attendees:
            a = actual_start + int(rng.integers(60, 600))
            phone_row = ["Yes", "Telefonteilnehmer/in 2", "", "", "", "+49371531xxxx", "", "approved",
                         zoom_time(a), zoom_time(end), str(round((end - a) / 60)), "Yes", "Germany", ""]  # fmt: skip
            attendees.insert(int(rng.integers(0, len(attendees) + 1)), phone_row)

        bom = year >= 2024  # newer Zoom downloads start with a byte order mark
        path = tools.landing / f"zoom/Attendee_Report_{webinar_id}_{report_day.isoformat()}.csv"
        out = tools.open(ToolFile(path, "zoom", "webinar_attendees", "en", newline="\n", bom=bom))

        def row(values: list[str], data: bool = True, quoted: tuple[int, ...] = ()) -> int:
            fields = [
                '"' + v.replace('"', '""') + '"' if i in quoted else excel_csv_field(v)
                for i, v in enumerate(values)
            ]
            return out.line(",".join(fields), data)

        generated = day_start(report_day) + 9 * 3600 + int(rng.integers(0, 7200))
        out.line("Attendee Report", False)
        row(["Report Generated:", local(generated).strftime("%m/%d/%Y %I:%M %p")], False, quoted=(1,))
        row(ZOOM_SUMMARY, False)
        unique_viewers = len({r[4].lower() for r in attendees if r[0] == "Yes" and r[4]})
        row(
            [ev["title"], spaced, zoom_time(actual_start), str(length // 60), str(len(registered) + cancelled),
             str(cancelled), str(unique_viewers), str(sessions), str(max(1, round(unique_viewers * 0.9)))],
            False,
            quoted=(2,),
        )  # fmt: skip
        trailing = "," if int(ev["id"][-3:]) % 2 else ""  # some reports end section lines with a comma
        out.line("Host Details" + trailing, False)
        row(ZOOM_HOST, False)
        host_join = actual_start - 20 * 60
        row(["Yes", OFFICE_ACCOUNT[0], OFFICE_ACCOUNT[1], zoom_time(host_join), zoom_time(end + 120),
             str(round((end + 120 - host_join) / 60)), "No", "Germany"])  # fmt: skip
        out.line("Panelist Details" + trailing, False)
        row(ZOOM_HOST, False)
        for values in panelists:
            row(values)
        out.line("Attendee Details" + trailing, False)
        row(ZOOM_ATTENDEE, False)
        without_email = 0
        for values in attendees:
            line = row(values)
            if values is phone_row:
                without_email += 1
                tools.broken(out, line, "Email", "missing_email")
        tools.close(out, report_day, event_id=ev["id"], webinar_id=webinar_id)
        tools.facts["zoom"][ev["id"]] = {
            "webinar_id": webinar_id,
            "file": path.name,
            "registrations": len(registered),  # distinct e-mails of panelists and attendees
            "registration_rows": len(panelists) + written,  # registrations of the world in this report
            "attendees": len(emails_attended),
            "speakers": len(panelists),
            "no_shows": sum(1 for r in attendees if r[0] == "No"),
            "cancelled": cancelled,
            "join_sessions": sessions,
            "rows_without_email": without_email,
        }


# ----------------------------------------------------------------------------- listmonk


class ListmonkWriter:
    """Campaign analytics exports (Admin → Maintenance, v6.2+): views and clicks since 1 January, downloaded at
    the end of June and at the end of the year, so the second download repeats the first."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        ends = [date(LISTMONK_YEAR, 6, 30), date(LISTMONK_YEAR, 12, 31)]
        self.downloads = sorted(
            {min(d, tools.until) for d in ends if min(d, tools.until).year == LISTMONK_YEAR}
        )
        self.views: dict[date, ToolFile] = {}
        self.clicks: dict[date, ToolFile] = {}
        if tools.until < date(LISTMONK_YEAR, 1, 1):
            self.downloads = []
        for d in self.downloads:
            self.views[d] = tools.open(
                ToolFile(tools.landing / f"listmonk/campaign_views_{d.isoformat()}.csv", "listmonk",
                         "campaign_views", "en")
            )  # fmt: skip
            self.clicks[d] = tools.open(
                ToolFile(tools.landing / f"listmonk/campaign_clicks_{d.isoformat()}.csv", "listmonk",
                         "campaign_clicks", "en")
            )  # fmt: skip
            self.views[d].line(",".join(LISTMONK_VIEWS), False)
            self.clicks[d].line(",".join(LISTMONK_CLICKS), False)

    def campaign(self, campaign: tuple, rows: list[tuple], members, email_idx) -> None:
        tools, net = self.tools, self.tools.gen.net
        cid, subject, _topic, sent_at, _lang = campaign
        number = int(cid.rsplit("-", 1)[1])
        sent_day = day_of(sent_at)
        tools.campaign_ids[cid] = (str(number), len(members))
        name = go_csv_field(f"Alumni-Newsletter {sent_day.month:02d}/{sent_day.year}: {subject}")
        head = f"{number},{tools.hash_uuid('listmonk-campaign', cid)},{name}"
        anonymous = sent_day < LISTMONK_TRACKING_FROM
        events = []  # (seconds, is click, subscriber part, url)
        j = -1
        subscriber = ""
        for s, _address, action, link, _ua, _machine in rows:
            if action == "sent":
                j += 1
                subscriber = ""
                continue
            if action not in ("open", "click"):
                continue
            if not subscriber:
                if anonymous:
                    subscriber = "0,,,"
                else:
                    e, m = int(email_idx[j]), int(members[j])
                    subscriber = (
                        f"{e + 1},{tools.hash_uuid('listmonk-subscriber', e)},{go_csv_field(net.emails[e])},"
                        f"{go_csv_field(net.first[m] + ' ' + net.last[m])}"
                    )
            events.append((s, action == "click", subscriber, link))
        events.sort(key=lambda e: e[0])
        fact = {"campaign_id": number, "recipients": len(members), "views": 0, "clicks": 0,
                "anonymous_opens": 0, "anonymous_clicks": 0, "files": []}  # fmt: skip
        for d in self.downloads:
            if d < sent_day:
                continue
            end = day_start(d) + 86400
            for s, click, sub, url in events:
                if s >= end:
                    break
                if click:
                    self.clicks[d].line(f"{head},{sub},{go_csv_field(url)},{rfc3339_utc(s)}")
                else:
                    self.views[d].line(f"{head},{sub},{rfc3339_utc(s)}")
            fact["files"].append(d.isoformat())
            # the latest download holds the most: its counts are the campaign's
            inside = [e for e in events if e[0] < end]
            fact["views"] = sum(not e[1] for e in inside)
            fact["clicks"] = sum(e[1] for e in inside)
            fact["anonymous_opens"] = sum(not e[1] and e[2] == "0,,," for e in inside)
            fact["anonymous_clicks"] = sum(e[1] and e[2] == "0,,," for e in inside)
        tools.facts["listmonk"][cid] = fact

    def finish(self) -> None:
        for d in self.downloads:
            self.tools.close(self.views[d], d)
            self.tools.close(self.clicks[d], d)


# ----------------------------------------------------------------------------- Mautic


class MauticWriter:
    """Report "Emails sent" with English labels, scheduled at the end of June and of December: each download
    holds the sends since 1 December of the year before, as Mautic knew them on that day."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        self.files: dict[date, ToolFile] = {}
        self.windows: dict[date, tuple[int, int]] = {}
        for year in range(MAUTIC_FROM, tools.until.year + 1):
            for end in (date(year, 6, 30), date(year, 12, 31)):
                d = min(end, tools.until)
                if d.year != year or d in self.files:
                    continue
                path = tools.landing / f"mautic/emails_sent_{d.isoformat()}.csv"
                out = tools.open(ToolFile(path, "mautic", "email_stats", "en"))
                out.line(",".join(php_csv_field(h) for h in MAUTIC_EMAILS_SENT), False)
                self.files[d] = out
                self.windows[d] = (day_start(date(year - 1, 12, 1)), day_start(d) + 86400)

    def campaign(self, campaign: tuple, rows: list[tuple]) -> None:
        tools = self.tools
        cid, subject, _topic, sent_at, lang = campaign
        if lang == "en":
            # English mailings go out under their own subject: the catalogue names it in `Externe ID`
            sent_day = day_of(sent_at)
            subject = f"TU Chemnitz Alumni News, {MONTHS_EN[sent_day.month - 1]} {sent_day.year}"
            tools.campaign_ids[cid] = (subject, None)
        recipients = []  # (address, sent, read, machine read, click, unsubscribe, bounce) seconds or None
        current = None
        for s, address, action, _link, ua, _machine in rows:
            if action == "sent":
                current = {"address": address.strip(), "sent": s}
                recipients.append(current)
                continue
            if action == "open":
                machine = ua == ref.APPLE_PROXY_UA
                key = "machine_read" if machine else "read"
                current.setdefault(key, s)
            elif action == "click":
                machine = s - current["sent"] <= 5 and "click" not in current and "read" not in current
                current.setdefault("click", s)
                if machine:
                    current.setdefault("machine_read", current["sent"] + 1)
                else:
                    current.setdefault("read", s)
            elif action in ("unsubscribe", "complaint"):
                current.setdefault("unsub", s)
            elif action == "hard_bounce":
                current["bounce"] = s
        subject_field = php_csv_field(subject)
        fact = {"subject": subject, "sent": 0, "read": 0, "machine_read": 0, "clicked": 0, "bounced": 0,
                "unsubscribed": 0, "files": []}  # fmt: skip
        for d, out in self.files.items():
            lo, hi = self.windows[d]
            if not lo <= sent_at < hi:
                continue
            fact["files"].append(d.isoformat())
            counts = dict.fromkeys(("sent", "read", "machine_read", "clicked", "bounced", "unsubscribed"), 0)
            for r in recipients:
                sent = r["sent"]
                if sent >= hi:
                    continue
                machine = r.get("machine_read")
                human = r.get("read")
                machine = machine if machine is not None and machine < hi else None
                human = human if human is not None and human < hi else None
                if machine is not None and (human is None or machine <= human):
                    read, delay = sent + 1, 1  # Apple's proxy or a link scanner: a second after sending
                elif human is not None:
                    read, delay = human, human - sent
                else:
                    read, delay = None, None
                click = r.get("click") is not None and r["click"] < hi
                unsub = r.get("unsub") is not None and r["unsub"] < hi
                bounce = r.get("bounce") is not None
                counts["sent"] += 1
                counts["read"] += read is not None
                counts["machine_read"] += delay is not None and delay < 2
                counts["clicked"] += click
                counts["bounced"] += bounce
                counts["unsubscribed"] += unsub
                out.line(
                    ",".join(
                        [
                            php_csv_field(r["address"]),
                            subject_field,
                            php_csv_field(mautic_time(sent)),
                            "Yes" if read is not None else "No",
                            php_csv_field(mautic_time(read)) if read is not None else "",
                            "Yes" if click else "No",
                            "Yes" if unsub else "No",
                            "Yes" if bounce else "No",
                            duration(delay) if delay is not None else "-",
                        ]
                    )
                )
            fact.update(counts)  # the latest download's state is the campaign's
        if fact["files"]:
            tools.facts["mautic"][cid] = fact

    def finish(self) -> None:
        for d, out in self.files.items():
            self.tools.close(out, d)

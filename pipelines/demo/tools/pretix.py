"""pretix (from 2023: the central meeting and the career evenings): order positions downloaded before and after
the event, the check-in log and the check-in list, in the staff's UI language and pretix's CSV formats."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo.formats import day_of, day_start, local
from pipelines.demo.tools.files import ToolFile

if TYPE_CHECKING:
    from pipelines.demo.tools.office import ToolExports

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

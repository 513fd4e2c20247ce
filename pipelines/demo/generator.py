"""`alumni generate`: a realistic alumni network, written as the office's exports (CONTRACTS.md §3).

The network is simulated first (people, their addresses, moves, consents, clubs), as numpy arrays so that
`--scale 10` stays fast and small; the high-volume newsletter activity is then streamed campaign by campaign
into the export files. The exports carry the dirt of real ones (encodings, delimiters, CRLF, e-mail case and
whitespace, overlapping exports, a re-downloaded file, a few broken rows), and `demo_truth.json` beside
`landing/` says exactly what was generated and where every broken row went.
"""

from __future__ import annotations

import json
import math
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo import tool_exports as tools
from pipelines.demo.writer import CsvExport, ExportStyle, XlsxExport

BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = date(1970, 1, 1)
HISTORY_START = date(2012, 1, 1)
APPLE_MPP_START = date(2021, 9, 20)  # iOS 15: Apple Mail Privacy Protection opens every mail via a proxy
NEVER = 10**7  # an ordinal day far in the future

MEMBER_HEADER = [
    "Mitgliedsnummer",
    "Anrede",
    "Titel",
    "Vorname",
    "Nachname",
    "E-Mail",
    "Statusgruppe",
    "Fakultät",
    "Studiengang",
    "Abschluss",
    "Abschlussjahr",
    "Land",
    "Ort",
    "Registriert am",
    "Newsletter",
    "Tracking",
    "Kontaktfreigabe",
    "Club",
    "Status",
    "Abgemeldet am",
]
CAMPAIGN_HEADER = ["Kampagnen-ID", "Betreff", "Thema", "Versendet am", "Sprache"]
ACTIVITY_HEADER = ["Kampagnen-ID", "E-Mail", "Aktion", "Zeitpunkt", "Link", "User-Agent", "Maschinell"]
EVENT_HEADER = [
    "Veranstaltungs-ID",
    "Titel",
    "Typ",
    "Beginn",
    "Ort",
    "Land",
    "Format",
    "Veranstalter",
    "Club",
    "Fakultät",
]
ATTENDANCE_HEADER = [
    "Anmelde-ID",
    "Veranstaltungs-ID",
    "E-Mail",
    "Mitgliedsnummer",
    "Angemeldet am",
    "Status",
    "Eingecheckt am",
    "Rolle",
]
CLUB_HEADER = ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"]
CLUB_ACTIVITY_HEADER = [
    "Bericht-ID",
    "Club-ID",
    "Datum",
    "Aktivität",
    "Anzahl",
    "Teilnehmende",
    "Gemeldet von",
    "Notiz",
]
DONATION_HEADER = ["Spenden-ID", "Mitgliedsnummer", "E-Mail", "Datum", "Betrag", "Zweck"]
ERASURE_HEADER = ["Mitgliedsnummer", "E-Mail", "Eingegangen am"]


@dataclass(frozen=True)
class GenerateConfig:
    data_dir: Path
    scale: float = 1.0
    seed: int = 42
    until: date = field(default_factory=lambda: date.today())  # today when the config is made, not imported


# --------------------------------------------------------------------------------------------- formatting


class Formats:
    """Date, datetime and boolean spellings, cached per day and hour: millions of rows go through here."""

    def __init__(self) -> None:
        self._day_de: dict[int, str] = {}
        self._day_iso: dict[int, str] = {}
        self._offset: dict[int, str] = {}

    def day_de(self, day: int) -> str:
        text = self._day_de.get(day)
        if text is None:
            d = EPOCH + timedelta(days=day)
            text = self._day_de[day] = f"{d.day:02d}.{d.month:02d}.{d.year}"
        return text

    def day_iso(self, day: int) -> str:
        text = self._day_iso.get(day)
        if text is None:
            text = self._day_iso[day] = (EPOCH + timedelta(days=day)).isoformat()
        return text

    def date(self, day: int, style: ExportStyle) -> str:
        return self.day_de(day) if style.date_format == "de" else self.day_iso(day)

    def offset(self, seconds: int) -> str:
        hour = seconds // 3600
        text = self._offset.get(hour)
        if text is None:
            naive = datetime(1970, 1, 1) + timedelta(seconds=hour * 3600)
            delta = naive.replace(tzinfo=BERLIN).utcoffset()
            minutes = int(delta.total_seconds() // 60)
            text = self._offset[hour] = f"+{minutes // 60:02d}:{minutes % 60:02d}"
        return text

    def datetime(self, seconds: int, style: ExportStyle) -> str:
        """`seconds` counts local (Europe/Berlin, naive) time since 1970-01-01 00:00."""
        day, rest = divmod(int(seconds), 86400)
        hh, rest = divmod(rest, 3600)
        mm, ss = divmod(rest, 60)
        kind = style.datetime_format
        if kind == "de":
            return f"{self.day_de(day)} {hh:02d}:{mm:02d}:{ss:02d}"
        text = f"{self.day_iso(day)}T{hh:02d}:{mm:02d}:{ss:02d}"
        if kind == "iso_offset":
            text += self.offset(int(seconds))
        return text

    @staticmethod
    def boolean(value: bool | None, style: ExportStyle) -> str:
        if value is None:
            return ""
        if style.datetime_format == "de":
            return "ja" if value else "nein"
        return "true" if value else "false"


FMT = Formats()


def horizon(until: date) -> date:
    """The end of the simulated world: 31 December of the year after `until`'s year.

    Everything is simulated to the horizon and the exports are cut at `until`, so two runs whose `until` share a
    horizon describe one world: the later run's exports extend the earlier one's (one more month of activity).
    """
    return date(until.year + 1, 12, 31)


def ordinal(d: date) -> int:
    return (d - EPOCH).days


def from_ordinal(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def ascii_fold(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue").replace("ı", "i").replace("'", "")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "")


# --------------------------------------------------------------------------------------------- truth


class Truth:
    """What was generated and where the deliberate defects went; written to D/demo_truth.json.

    `files`, `broken_rows`, `duplicate_files` cover the canonical exports (CONTRACTS.md §3; the one `.xlsx`
    catalogue has `"format": "xlsx"` and sheet rows for lines). The tool exports (TOOLS.md) have their own keys:
    `tool_files` (tool, kind, language, rows as the ledger counts them, lines, export date), `tool_broken_rows`
    (rows the reader must quarantine, with file, physical line, column and reason code) and `facts.tools`: per
    pretix and Zoom event what its latest downloads say (registrations, cancellations, attendees, speakers,
    add-ons; a pretix event's mentors, helpers and organisers, `volunteers_in_canonical`, come on top from the
    canonical attendance export), per listmonk campaign views, clicks and anonymous ones (counts of its latest download, which holds
    the earlier one), per Mautic campaign sends, reads (machine reads: delay under 2 s), clicks, bounces and
    unsubscribes as its latest report shows them.
    """

    def __init__(self, config: GenerateConfig) -> None:
        self.config = config
        self.files: dict[str, dict] = {}
        self.broken_rows: list[dict] = []
        self.soft_anomalies: list[dict] = []
        self.duplicate_files: list[dict] = []
        self.erasures: list[dict] = []
        self.facts: dict = {}
        self.tool_files: dict[str, dict] = {}  # tool exports (TOOLS.md): pretix, zoom, listmonk, mautic
        self.tool_broken_rows: list[dict] = []  # tool rows the reader must quarantine

    def add_file(self, source: str, export: CsvExport | XlsxExport, landing: Path) -> None:
        rel = export.path.relative_to(landing).as_posix()
        if isinstance(export, XlsxExport):
            self.files[rel] = {"source": source, "rows": export.rows, "lines": export.lines, "format": "xlsx"}
            return
        self.files[rel] = {
            "source": source,
            "rows": export.rows,
            "lines": export.lines,
            "encoding": export.style.encoding,
            "delimiter": export.style.delimiter,
            "newline": "crlf" if export.style.newline == "\r\n" else "lf",
        }

    def write(self, path: Path) -> None:
        payload = {
            "generator": "alumni generate",
            "params": {
                "scale": self.config.scale,
                "seed": self.config.seed,
                "until": self.config.until.isoformat(),
            },
            "facts": self.facts,
            "files": dict(sorted(self.files.items())),
            "duplicate_files": self.duplicate_files,
            "broken_rows": sorted(self.broken_rows, key=lambda r: (r["file"], r["line"])),
            "soft_anomalies": sorted(self.soft_anomalies, key=lambda r: (r["file"], r["line"])),
            "erasures": self.erasures,
            "tool_files": dict(sorted(self.tool_files.items())),
            "tool_broken_rows": sorted(self.tool_broken_rows, key=lambda r: (r["file"], r["line"])),
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=int), encoding="utf-8")


class Injector:
    """Puts each planned defect into one export file of its source, after a few good rows."""

    def __init__(self, rng: np.random.Generator, truth: Truth, landing: Path) -> None:
        self.rng = rng
        self.truth = truth
        self.landing = landing
        self.plan: dict[str, dict[int, list[str]]] = {}

    def plan_source(self, source: str, file_keys: list[int], kinds: list[str]) -> None:
        per_file: dict[int, list[str]] = {}
        for kind in kinds:
            key = file_keys[int(self.rng.integers(0, len(file_keys)))]
            per_file.setdefault(key, []).append(kind)
        self.plan[source] = per_file

    def kinds_for(self, source: str, file_key: int) -> list[str]:
        return list(self.plan.get(source, {}).get(file_key, []))

    def record(self, source: str, export: CsvExport, line: int, column: str, reason: str) -> None:
        self.truth.broken_rows.append(
            {
                "source": source,
                "file": export.path.relative_to(self.landing).as_posix(),
                "line": line,
                "column": column,
                "reason": reason,
            }
        )

    def soft(self, source: str, export: CsvExport, line: int, column: str, kind: str) -> None:
        self.truth.soft_anomalies.append(
            {
                "source": source,
                "file": export.path.relative_to(self.landing).as_posix(),
                "line": line,
                "column": column,
                "kind": kind,
            }
        )


# --------------------------------------------------------------------------------------------- network


class Network:
    """Members as parallel numpy arrays (index = member number - 1), plus a few Python lists of strings."""

    def __init__(self, config: GenerateConfig, rng: np.random.Generator) -> None:
        self.config = config
        self.rng = rng
        # The people are simulated to the horizon, not to `until`: what the exports show up to `until` is then
        # the same for every `until` within one horizon (see DemoGenerator).
        self.horizon = ordinal(horizon(config.until))
        self._people()
        self._addresses()
        self._locations()
        self._departures()
        self._consents()

    # people, registration, status group, faculty
    def _people(self) -> None:
        rng, scale = self.rng, self.config.scale
        start, end = ordinal(HISTORY_START), self.horizon
        n0 = round(3400 * scale)
        reg = [rng.integers(ordinal(date(2006, 1, 1)), start, n0)]
        year = HISTORY_START.year
        while ordinal(date(year, 1, 1)) <= end:
            y0, y1 = ordinal(date(year, 1, 1)), min(ordinal(date(year + 1, 1, 1)), end + 1)
            per_year = 1150 + 25 * (year - 2012)
            n = int(rng.poisson(per_year * scale * (y1 - y0) / 365.25))
            # More registrations in autumn and early winter: graduation ceremonies, farewell of graduates.
            days = y0 + np.minimum((rng.beta(1.3, 1.0, n) * (y1 - y0)).astype(int), y1 - y0 - 1)
            reg.append(days)
            year += 1
        self.registered = np.sort(np.concatenate(reg)).astype(np.int64)
        self.n = n = len(self.registered)
        self.member_ids = [f"A-{i + 1:06d}" for i in range(n)]
        self.propensity = rng.beta(0.9, 3.0, n)
        labels = [s for s, _ in ref.STATUS_GROUPS]
        self.status = rng.choice(len(labels), n, p=[p for _, p in ref.STATUS_GROUPS])
        self.status_labels = labels
        fac_codes = [f for f, _ in ref.FACULTY_SHARES]
        self.faculty = rng.choice(len(fac_codes), n, p=[p for _, p in ref.FACULTY_SHARES])
        self.faculty_codes = fac_codes
        female = rng.random(n) < 0.45
        self.female = female
        fn_f, fn_m, ln = ref.FIRST_NAMES_F, ref.FIRST_NAMES_M, ref.LAST_NAMES
        fi = rng.integers(0, 40, n)
        li = rng.integers(0, len(ln), n)
        self.first = [fn_f[fi[i]] if female[i] else fn_m[fi[i]] for i in range(n)]
        self.last = [ln[li[i]] for i in range(n)]
        ti = rng.integers(0, len(ref.TITLES), n)
        self.title = [ref.TITLES[t] if self.status[i] in (1, 2) or t >= 9 else "" for i, t in enumerate(ti)]
        # Duplicate people: a few register a second time (new member id, same name and address).
        self.duplicate_of = np.full(n, -1)
        dup = np.flatnonzero((rng.random(n) < 0.004) & (np.arange(n) > 200))
        for i in dup:
            j = int(rng.integers(0, i - 100))
            if self.duplicate_of[j] >= 0:
                continue
            self.duplicate_of[i] = j
            self.first[i], self.last[i], self.female[i] = self.first[j], self.last[j], self.female[j]
        # Degree and graduation year by status group.
        self.degree = [""] * n
        self.grad_year = np.zeros(n, dtype=np.int64)
        deg_choice = rng.random(n)
        years = np.array([from_ordinal(int(d)).year for d in self.registered])
        back = rng.integers(0, 12, n)
        for i in range(n):
            s = self.status[i]
            if s == 0:
                self.degree[i] = (
                    "Diplom"
                    if years[i] - back[i] < 2008 and deg_choice[i] < 0.6
                    else "Magister"
                    if deg_choice[i] < 0.04
                    else "Staatsexamen"
                    if deg_choice[i] < 0.08
                    else "Bachelor"
                    if deg_choice[i] < 0.5
                    else "Master"
                )
                self.grad_year[i] = years[i] - (back[i] % 3)
            elif s == 1:
                self.degree[i], self.grad_year[i] = "Promotion", years[i] - (back[i] % 4)
            elif s == 2:
                self.degree[i] = "Habilitation" if deg_choice[i] < 0.6 else "Promotion"
                self.grad_year[i] = years[i] - 10 - back[i]
        prog_choice = rng.integers(0, 4, n)
        self.programme = [
            ref.PROGRAMMES[fac_codes[self.faculty[i]]][
                prog_choice[i] % len(ref.PROGRAMMES[fac_codes[self.faculty[i]]])
            ]
            if self.degree[i] and fac_codes[self.faculty[i]] in ref.PROGRAMMES
            else ""
            for i in range(n)
        ]

    def _addresses(self) -> None:
        """Up to three addresses a member: an initial one and later changes (job, marriage, provider)."""
        rng, n = self.rng, self.n
        self.emails: list[str] = []
        self.email_slots = np.full((n, 3), -1, dtype=np.int64)
        self.email_from = np.full((n, 3), NEVER, dtype=np.int64)
        self.scanner = np.zeros(n, dtype=bool)
        dom = rng.integers(0, len(ref.MAIL_DOMAINS), (n, 3))
        variant = rng.integers(0, 6, (n, 3))
        corporate = rng.random(n) < 0.02
        changes = rng.choice(3, n, p=[0.72, 0.22, 0.06])
        for i in range(n):
            j = self.duplicate_of[i]
            if j >= 0:  # a second registration with the address the person had then
                slot_j = int(np.searchsorted(self.email_from[j], self.registered[i], side="right")) - 1
                self._set_email(i, 0, self.emails[self.email_slots[j, max(slot_j, 0)]], self.registered[i])
                continue
            first, last = ascii_fold(self.first[i]).lower(), ascii_fold(self.last[i]).lower()
            for slot in range(1 + changes[i]):
                v = variant[i, slot]
                local = [
                    f"{first}.{last}",
                    f"{first[0]}.{last}",
                    f"{first}{last}",
                    f"{last}.{first}",
                    f"{first}.{last}{i % 97}",
                    f"{first[:3]}{last[:5]}{i % 1000}",
                ][v]
                if slot == 0 and corporate[i]:
                    domain = ref.SCANNER_DOMAINS[i % len(ref.SCANNER_DOMAINS)]
                    self.scanner[i] = True
                else:
                    domain = ref.MAIL_DOMAINS[dom[i, slot]]
                address = f"{local}@{domain}"
                if slot > 0 and address in (self.emails[s] for s in self.email_slots[i, :slot]):
                    address = f"{local}.{slot}@{domain}"
                since = self.registered[i] if slot == 0 else None
                if since is None:
                    span = max(self.horizon - self.email_from[i, slot - 1], 60)
                    since = self.email_from[i, slot - 1] + 30 + int(rng.integers(0, span))
                    if since > self.horizon:
                        break
                self._set_email(i, slot, address, since)
            # a corporate address is left behind when the job changes
            if self.scanner[i] and self.email_from[i, 1] < NEVER:
                self.scanner[i] = False

    def _set_email(self, i: int, slot: int, address: str, since: int) -> None:
        self.email_slots[i, slot] = len(self.emails)
        self.email_from[i, slot] = since
        self.emails.append(address)

    def email_index_at(self, members: np.ndarray, day: int) -> np.ndarray:
        slot = (self.email_from[members, 1] <= day).astype(np.int64) + (self.email_from[members, 2] <= day)
        return self.email_slots[members, slot]

    def _locations(self) -> None:
        rng, n = self.rng, self.n
        countries = ref.countries()
        saxony = [m for m in ref.saxon_municipalities() if m != "Chemnitz"]
        abroad = [c for c in countries if c != "DE"]
        weights = np.array([ref.ABROAD_WEIGHTS.get(c, 1) for c in abroad], dtype=float)
        weights /= weights.sum()
        self.cities: list[tuple[str, str]] = []  # (city, country code)
        city_index: dict[tuple[str, str], int] = {}

        def city_id(city: str, country: str) -> int:
            key = (city, country)
            if key not in city_index:
                city_index[key] = len(self.cities)
                self.cities.append(key)
            return city_index[key]

        def draw(k: int) -> np.ndarray:
            region = rng.choice(4, k, p=[0.34, 0.21, 0.29, 0.16])
            sx = rng.integers(0, len(saxony), k)
            de = rng.integers(0, len(ref.GERMAN_CITIES), k)
            ab = rng.choice(len(abroad), k, p=weights)
            ab_city = rng.integers(0, 4, k)
            out = np.empty(k, dtype=np.int64)
            for idx in range(k):
                r = region[idx]
                if r == 0:
                    out[idx] = city_id("Chemnitz", "DE")
                elif r == 1:
                    out[idx] = city_id(saxony[sx[idx]], "DE")
                elif r == 2:
                    out[idx] = city_id(ref.GERMAN_CITIES[de[idx]], "DE")
                else:
                    code = abroad[ab[idx]]
                    options = ref.CITIES_ABROAD.get(code) or [countries[code]["name_de"] + " (Hauptstadt)"]
                    out[idx] = city_id(options[ab_city[idx] % len(options)], code)
            return out

        self.city_a = draw(n)
        self.city_b = draw(n)
        move = rng.random(n) < 0.15
        self.move_on = np.where(move, self.registered + 60 + rng.integers(0, 4000, n), NEVER).astype(np.int64)
        self.city_id = city_id
        for i in np.flatnonzero(self.duplicate_of >= 0):
            self.city_a[i] = self.city_a[self.duplicate_of[i]]

    def city_at(self, members: np.ndarray, day: int) -> np.ndarray:
        return np.where(self.move_on[members] <= day, self.city_b[members], self.city_a[members])

    def _departures(self) -> None:
        rng, n = self.rng, self.n
        hazard = 0.022 * (1.4 - self.propensity)  # per year: the engaged stay
        years = rng.exponential(1.0 / hazard)
        leave = self.registered + (years * 365.25).astype(np.int64)
        self.left = np.where(leave <= self.horizon, leave, NEVER)
        # abgemeldet: the portal records the leaving date; vanish: the record simply disappears
        self.left_mode = np.where(rng.random(n) < 0.6, 1, 2)
        rejoin = (self.left_mode == 2) & (rng.random(n) < 0.12)
        self.rejoin = np.where(rejoin, self.left + 200 + rng.integers(0, 500, n), NEVER)
        self.rejoin = np.where(self.rejoin <= self.horizon, self.rejoin, NEVER)
        self.erased_on = np.full(n, NEVER, dtype=np.int64)

    def _consents(self) -> None:
        rng, n = self.rng, self.n
        self.newsletter = rng.random(n) < 0.62
        self.tracking = np.where(self.newsletter, rng.random(n) < 0.62, rng.random(n) < 0.15)
        self.contact = rng.random(n) < 0.45 + 0.3 * self.propensity
        self.unsubscribed = np.full(n, NEVER, dtype=np.int64)
        self.apple = rng.random(n) < 0.35
        self.club = np.full(n, -1, dtype=np.int64)
        self.club_join = np.full(n, NEVER, dtype=np.int64)
        self.status_override: dict[int, str] = {}

    def is_member_on(self, members: np.ndarray, day: int) -> np.ndarray:
        active = (self.registered[members] <= day) & (
            (self.left[members] > day) | (self.rejoin[members] <= day)
        )
        return active & (self.erased_on[members] > day)

    def engagement(self, members: np.ndarray, day: int) -> np.ndarray:
        """Engagement fades with the years since joining; the engaged fade more slowly."""
        age = np.maximum(day - self.registered[members], 0) / 365.25
        fade = 0.35 + 0.65 * np.exp(-age / (4.0 + 10.0 * self.propensity[members]))
        return self.propensity[members] * fade


# --------------------------------------------------------------------------------------------- generator


class DemoGenerator:
    def __init__(self, config: GenerateConfig) -> None:
        self.config = config
        self.landing = config.data_dir / "landing"
        self.truth = Truth(config)
        self.inject = Injector(np.random.default_rng(config.seed + 1), self.truth, self.landing)
        self.until = ordinal(config.until)  # the exports' cut
        self.horizon = ordinal(horizon(config.until))  # the simulation's end
        self.years = list(range(HISTORY_START.year, config.until.year + 1))

    def stream(self, part: int) -> np.random.Generator:
        """One random stream per part of the world, so that a part drawing less (nothing after `until`) does not
        shift what the parts after it draw."""
        return np.random.default_rng([self.config.seed, part])

    def export_date(self, year: int) -> date:
        return min(date(year, 12, 31), self.config.until)

    def open(self, source: str, folder: str, name: str, header: list[str], style: ExportStyle) -> CsvExport:
        return CsvExport(self.landing / folder / name, header, style)

    def close(self, source: str, export: CsvExport) -> None:
        export.close()
        self.truth.add_file(source, export, self.landing)

    def run(self) -> Path:
        if self.landing.exists():
            shutil.rmtree(self.landing)
        self.landing.mkdir(parents=True)
        self.net = Network(self.config, self.stream(1))
        self.tools = tools.ToolExports(self)
        self._plan_defects()
        self._erasure_requests()
        self._clubs()
        self._newsletter()
        self._events()
        self._club_reports()
        self._donations()
        self._members()
        self._write_erasures()
        self.tools.finish()
        self._facts()
        truth_path = self.config.data_dir / "demo_truth.json"
        self.truth.write(truth_path)
        return truth_path

    # ------------------------------------------------------------------ defects
    def _plan_defects(self) -> None:
        years = self.years
        recent = [y for y in years if y >= 2017] or years
        self.inject.plan_source(
            "members",
            list(range(len(self._snapshot_days()))),
            [
                "missing_id",
                "duplicate_id",
                "missing_registered",
                "invalid_registered",
                "duplicate_id",
                "malformed_row",
            ],
        )
        self.inject.plan_source(
            "newsletter_campaigns", years, ["duplicate_id", "missing_sent", "invalid_sent"]
        )
        self.inject.plan_source(
            "newsletter_activity",
            years,
            [
                "unknown_campaign",
                "unknown_action",
                "missing_email",
                "invalid_time",
                "unknown_campaign",
                "missing_campaign",
                "malformed_row",
            ],
        )
        self.inject.plan_source("events", years, ["duplicate_id", "missing_start"])
        self.inject.plan_source(
            "attendance",
            years,
            [
                "unknown_event",
                "missing_identity",
                "duplicate_id",
                "missing_id",
            ],
        )
        self.inject.plan_source("clubs", recent, ["duplicate_id", "missing_id"])
        self.inject.plan_source("club_activities", recent, ["unknown_club", "missing_date", "duplicate_id"])
        self.inject.plan_source(
            "donations",
            [y for y in years if y >= 2014] or years,
            [
                "zero_amount",
                "negative_amount",
                "invalid_amount",
                "duplicate_id",
            ],
        )
        self.inject.plan_source("erasure_requests", [0], ["missing_identity"])

    # ------------------------------------------------------------------ erasure requests
    def _erasure_requests(self) -> None:
        net, rng = self.net, self.stream(2)
        first = ordinal(date(2019, 1, 1))
        self.erasure_rows: list[tuple[int, str, str]] = []
        if self.horizon <= first + 60:
            return
        k = max(2, round(6 * self.config.scale))
        candidates = np.flatnonzero((net.registered < first - 365) & (net.duplicate_of < 0))
        chosen = rng.choice(candidates, size=min(k, len(candidates)), replace=False)
        for n_req, i in enumerate(sorted(chosen)):
            requested = int(rng.integers(first, self.horizon - 30))
            net.erased_on[i] = requested
            net.unsubscribed[i] = min(net.unsubscribed[i], requested)
            if requested > self.until:
                continue  # the person leaves later: still in this export's world
            used = [
                net.emails[net.email_slots[i, k]]
                for k in range(3)
                if net.email_slots[i, k] >= 0 and net.email_from[i, k] <= requested
            ]
            mode = n_req % 3  # by id, by (an old) address only, by both
            member_id = "" if mode == 1 else net.member_ids[i]
            email = used[0] if mode == 1 else (used[-1] if mode == 2 else "")
            self.erasure_rows.append((requested, member_id, email))
            self.truth.erasures.append(
                {
                    "member_id": net.member_ids[i],
                    "requested_on": from_ordinal(requested).isoformat(),
                    "by": ["member_id", "email", "both"][mode],
                    "emails": [net.emails[s] for s in net.email_slots[i] if s >= 0],
                }
            )

    def _write_erasures(self) -> None:
        by_file: dict[int, list[tuple[int, str, str]]] = {}
        for row in self.erasure_rows:
            d = from_ordinal(row[0])
            filed = min(ordinal(date(d.year + (d.month == 12), d.month % 12 + 1, 1)), self.until)
            by_file.setdefault(filed, []).append(row)
        style = ExportStyle(encoding="utf-8", delimiter=";", date_format="de")
        for n_file, (filed, rows) in enumerate(sorted(by_file.items())):
            exp = self.open(
                "erasure_requests", "erasure", f"erasure_{FMT.day_iso(filed)}.csv", ERASURE_HEADER, style
            )
            for requested, member_id, email in rows:
                exp.write([member_id, email, FMT.date(requested, style)])
            if n_file == 0:
                for _ in self.inject.kinds_for("erasure_requests", 0):
                    line = exp.write(["", "", FMT.date(rows[0][0], style)])
                    self.inject.record("erasure_requests", exp, line, "Mitgliedsnummer", "missing_identity")
            self.close("erasure_requests", exp)

    # ------------------------------------------------------------------ clubs
    def _clubs(self) -> None:
        net, rng, scale = self.net, self.stream(3), self.config.scale
        self.clubs: list[dict] = []
        founding_start = date(2017, 3, 1)
        if from_ordinal(self.horizon) < founding_start:
            return
        n_years = from_ordinal(self.horizon).year - 2017 + 1
        count = 0
        for k in range(n_years):
            year = 2017 + k
            new = max(1, round(4 * scale))
            for _ in range(new):
                if count >= len(ref.CLUB_CITIES) * max(1, math.ceil(scale)):
                    break
                city, country = ref.CLUB_CITIES[count % len(ref.CLUB_CITIES)]
                suffix = "" if count < len(ref.CLUB_CITIES) else f" {count // len(ref.CLUB_CITIES) + 1}"
                founded = ordinal(date(year, 1, 1)) + int(rng.integers(30, 330))
                if founded > self.horizon - 30:
                    continue
                club = {
                    "id": f"C-{count + 1:03d}",
                    "name": f"Alumni-Club {city}{suffix}",
                    "city": city,
                    "country": country,
                    "founded": founded,
                    "vigor": float(rng.uniform(0.4, 1.6)),
                    "sleeps_on": NEVER,
                    "dissolved_on": NEVER,
                }
                if rng.random() < 0.15:  # some clubs fall asleep a few years after founding
                    club["sleeps_on"] = founded + int(rng.integers(700, 1800))
                    if rng.random() < 0.4:
                        club["dissolved_on"] = club["sleeps_on"] + int(rng.integers(200, 500))
                city_idx = net.city_id(city, country)
                # ambassador: an engaged member, moved to the club's city if needed
                pool = np.flatnonzero(
                    (net.registered < founded - 200)
                    & (net.left > self.horizon)
                    & (net.erased_on >= NEVER)
                    & (net.club < 0)
                    & (net.duplicate_of < 0)
                )
                weights = net.propensity[pool] ** 3
                amb = int(rng.choice(pool, p=weights / weights.sum()))
                net.city_a[amb] = city_idx
                net.move_on[amb] = NEVER
                net.contact[amb] = True
                club["ambassador"] = amb
                net.club[amb], net.club_join[amb] = count, founded
                # members: people in that city join over time
                here = np.flatnonzero(((net.city_a == city_idx) | (net.city_b == city_idx)) & (net.club < 0))
                joins = here[rng.random(len(here)) < 0.25 + 0.5 * net.propensity[here]]
                net.club[joins] = count
                net.club_join[joins] = np.maximum(net.registered[joins], founded) + rng.integers(
                    0, 900, len(joins)
                )
                self.clubs.append(club)
                count += 1
        style_old = ExportStyle(encoding="utf-8-sig", delimiter=";", newline="\r\n", date_format="de")
        style_new = ExportStyle(encoding="utf-8", delimiter=";", date_format="iso")
        for year in self.years:
            if year < 2017:
                continue
            day = ordinal(self.export_date(year))
            style = style_old if year < 2021 else style_new
            exp = self.open("clubs", "clubs", f"clubs_{FMT.day_iso(day)}.csv", CLUB_HEADER, style)
            kinds = self.inject.kinds_for("clubs", year)
            for club in self.clubs:
                if club["founded"] > day:
                    continue
                status = (
                    "aufgelöst"
                    if club["dissolved_on"] <= day
                    else "ruhend"
                    if club["sleeps_on"] <= day
                    else "aktiv"
                )
                row = [
                    club["id"],
                    club["name"],
                    club["city"],
                    self._country_label(club["country"], year),
                    FMT.date(club["founded"], style),
                    net.member_ids[club["ambassador"]],
                    status,
                ]
                exp.write(row)
                if kinds:
                    kind = kinds.pop()
                    bad = list(row)
                    bad[0] = "" if kind == "missing_id" else club["id"]
                    bad[1] = club["name"] + " (Dublette)"
                    line = exp.write(bad)
                    reason = "missing_required" if kind == "missing_id" else "duplicate_id"
                    self.inject.record("clubs", exp, line, "Club-ID", reason)
            self.close("clubs", exp)

    def _country_label(self, code: str, variant: int) -> str:
        """Country spelled as the tool of the day spells it: German name, English name or ISO code."""
        c = ref.countries()[code]
        return [c["name_de"], c["name_en"], code][variant % 3]

    # ------------------------------------------------------------------ newsletter
    def _newsletter(self) -> None:
        net, rng = self.net, self.stream(4)
        topics = [t for t, _, _ in ref.TOPICS]
        topic_p = [p for _, p, _ in ref.TOPICS]
        appeal = {t: a for t, _, a in ref.TOPICS}
        campaigns = []
        day = ordinal(date(2012, 2, 14))
        n = 0
        while day <= self.horizon - 2:
            d = from_ordinal(day)
            n += 1
            topic = topics[int(rng.choice(len(topics), p=topic_p))]
            cid = f"NL-{d.year}-{n:04d}"
            lang = "en" if rng.random() < 0.15 else "de"
            send_seconds = day * 86400 + 10 * 3600 + int(rng.integers(0, 4)) * 900
            subject = {
                "Neuigkeiten": "Neues aus der TU Chemnitz",
                "Weiterbildung": "Weiterbildung für Alumni: jetzt anmelden",
                "Karriere": "Karriere-Tipps & Jobs für Ehemalige",
                "Veranstaltung": "Einladung: Treffen, Vorträge, Führungen",
                "Forschung": "Forschung aus Chemnitz – Ergebnisse",
                "Spenden": "Deutschlandstipendium: Unterstützen Sie Studierende",
            }[topic]
            campaigns.append((cid, subject if lang == "de" else f"[EN] {subject}", topic, send_seconds, lang))
            # roughly monthly: 10-13 mailings a year
            day += int(rng.integers(26, 36))
        campaigns = [c for c in campaigns if c[3] < (self.until + 1) * 86400]
        self.campaigns = campaigns
        self._activity_rng = self.stream(5)

        # activity exports: one a year, repeating the last two weeks of the year before
        exports: dict[int, CsvExport] = {}
        windows: dict[int, tuple[int, int]] = {}
        for year in self.years:
            if year >= tools.MAUTIC_FROM:
                continue  # the newsletter tools export the activity now
            if year < 2016:
                style = ExportStyle(encoding="utf-8", delimiter=";", newline="\r\n", datetime_format="de")
                header = ACTIVITY_HEADER
            elif year < 2021:
                style = ExportStyle(encoding="utf-8", delimiter=",", datetime_format="iso")
                header = [
                    "Zeitpunkt",
                    "Kampagnen-ID",
                    "Aktion",
                    "E-Mail",
                    "Link",
                    "User-Agent",
                    "Maschinell",
                    "Quelle",
                ]
            else:
                style = ExportStyle(encoding="utf-8-sig", delimiter=";", datetime_format="iso_offset")
                header = [
                    " kampagnen-id",
                    "E-MAIL",
                    "Aktion ",
                    "Zeitpunkt",
                    "Link",
                    "User-Agent",
                    "Maschinell",
                ]
            windows[year] = (
                ordinal(date(year - 1, 12, 18)) * 86400,
                (ordinal(self.export_date(year)) + 1) * 86400,
            )
            exports[year] = self.open(
                "newsletter_activity",
                "newsletter",
                f"activity_{FMT.day_iso(ordinal(self.export_date(year)))}.csv",
                header,
                style,
            )
        self._activity_kinds = {y: self.inject.kinds_for("newsletter_activity", y) for y in self.years}
        # an address that hard-bounced or complained gets no more mail from that day on
        self._email_blocked = np.full(len(net.emails), NEVER, dtype=np.int64)
        stats = {
            "sent": 0,
            "delivered": 0,
            "human_open": 0,
            "human_click_people": 0,
            "machine_open": 0,
            "scanner": 0,
        }
        for campaign in campaigns:
            cid, _subject, topic, sent_at, _lang = campaign
            self._campaign_activity(cid, sent_at, appeal[topic], exports, windows, stats, campaign)
        for exp in exports.values():
            self.close("newsletter_activity", exp)
        self._campaign_catalogue(campaigns)
        self.truth.facts["newsletter"] = {
            "campaigns": len(campaigns),
            "recipients": stats["sent"],
            "delivered": stats["delivered"],
            "human_open_rate": round(stats["human_open"] / max(stats["delivered"], 1), 4),
            "human_click_rate": round(stats["human_click_people"] / max(stats["delivered"], 1), 4),
            "machine_opens": stats["machine_open"],
            "scanner_recipients": stats["scanner"],
        }

    def _campaign_catalogue(self, campaigns: list[tuple]) -> None:
        """Campaign exports: one a year, repeating December of the year before. Written after the activity, so
        that campaigns sent with a tool carry the tool's id and recipient count (`Externe ID`, `Empfänger`)."""
        for year in self.years:
            style = (
                ExportStyle(encoding="cp1252", delimiter=";", newline="\r\n", datetime_format="de")
                if year < 2017
                else ExportStyle(encoding="utf-8", delimiter=";", datetime_format="iso")
            )
            lo = ordinal(date(year - 1, 12, 1)) * 86400
            hi = (ordinal(self.export_date(year)) + 1) * 86400
            with_ids = year >= tools.CATALOGUE_IDS_FROM
            exp = self.open(
                "newsletter_campaigns",
                "newsletter",
                f"campaigns_{FMT.day_iso(ordinal(self.export_date(year)))}.csv",
                CAMPAIGN_HEADER + (["Externe ID", "Empfänger"] if with_ids else []),
                style,
            )
            kinds = self.inject.kinds_for("newsletter_campaigns", year)
            for cid, subject, topic, sent, lang in campaigns:
                if not lo <= sent < hi:
                    continue
                extra = self.tools.campaign_catalogue_extra(cid) if with_ids else []
                exp.write([cid, subject, topic, FMT.datetime(sent, style), lang, *extra])
                if kinds:
                    kind = kinds.pop()
                    if kind == "duplicate_id":
                        line = exp.write(
                            [
                                cid,
                                subject + " (Korrektur)",
                                topic,
                                FMT.datetime(sent + 3600, style),
                                lang,
                                *extra,
                            ]
                        )
                        self.inject.record("newsletter_campaigns", exp, line, "Kampagnen-ID", "duplicate_id")
                    elif kind == "missing_sent":
                        line = exp.write([f"{cid}-ENTWURF", subject, topic, "", lang, *extra])
                        self.inject.record(
                            "newsletter_campaigns", exp, line, "Versendet am", "missing_required"
                        )
                    else:
                        line = exp.write([f"{cid}-TEST", subject, topic, "morgen früh", lang, *extra])
                        self.inject.record(
                            "newsletter_campaigns", exp, line, "Versendet am", "invalid_datetime"
                        )
            self.close("newsletter_campaigns", exp)
            if year == 2015 and self.config.until.year > 2015:
                # the same export downloaded twice, under another date
                copy = exp.path.with_name("campaigns_2016-01-04.csv")
                shutil.copyfile(exp.path, copy)
                self.truth.files[copy.relative_to(self.landing).as_posix()] = dict(
                    self.truth.files[exp.path.relative_to(self.landing).as_posix()]
                )
                self.truth.duplicate_files.append(
                    {
                        "file": copy.relative_to(self.landing).as_posix(),
                        "same_as": exp.path.relative_to(self.landing).as_posix(),
                    }
                )

    def _campaign_activity(self, cid, sent_at, appeal, exports, windows, stats, campaign) -> None:
        net, rng = self.net, self._activity_rng
        day = sent_at // 86400
        everyone = np.arange(net.n)
        eligible = everyone[net.is_member_on(everyone, day) & net.newsletter & (net.unsubscribed > day)]
        email_idx = net.email_index_at(eligible, day)
        alive = self._email_blocked[email_idx] > day
        members, email_idx = eligible[alive], email_idx[alive]
        k = len(members)
        if k == 0:
            return
        order = rng.permutation(k)
        members, email_idx = members[order], email_idx[order]
        sent = sent_at + np.arange(k) // 40  # the mail server sends about 40 a second
        r = rng.random((k, 8))
        hard = r[:, 0] < 0.004
        soft = ~hard & (r[:, 1] < 0.015)
        delivered = ~hard & ~soft
        eng = net.engagement(members, day)
        p_open = np.clip(0.07 + 0.85 * eng * (0.9 + 0.2 * appeal), 0, 0.95)
        human_open = delivered & (r[:, 2] < p_open)
        p_click = np.clip(0.10 * appeal * (0.6 + 2.0 * eng), 0, 0.9)
        human_click = human_open & (r[:, 3] < p_click)
        no_open_row = human_click & (r[:, 4] < 0.1)  # images blocked: a click without an open
        mpp = delivered & net.apple[members] & (day >= ordinal(APPLE_MPP_START))
        scanner = delivered & net.scanner[members]
        unsub = delivered & (r[:, 5] < 0.0012 + 0.0025 * (1 - eng))
        complaint = delivered & ~unsub & (r[:, 6] < 0.0002)
        dirt = r[:, 7] < 0.04

        emails = net.emails
        rows: list[tuple] = []  # (seconds, email, action, link, user agent, machine flag)
        open_delay = 2 + rng.exponential(18 * 3600, k).astype(np.int64)
        ua_pick = rng.integers(0, len(ref.HUMAN_USER_AGENTS), k)
        links = rng.integers(1, 7, (k, 3))
        n_links = 1 + (rng.random(k) < 0.25) + (rng.random(k) < 0.08)
        for j in range(k):
            address = emails[email_idx[j]]
            if dirt[j]:
                address = address.capitalize() if j % 2 else f" {address.upper()} "
            s = int(sent[j])
            rows.append((s, address, "sent", "", "", None))
            if hard[j]:
                rows.append((s + 20, address, "hard_bounce", "", "", None))
                self._email_blocked[email_idx[j]] = day + 1
                continue
            if soft[j]:
                rows.append((s + 60, address, "soft_bounce", "", "", None))
                continue
            if mpp[j]:
                rows.append(
                    (
                        s + 1 + int(r[j, 4] * 900),
                        address,
                        "open",
                        "",
                        ref.APPLE_PROXY_UA,
                        True if r[j, 2] < 0.4 else None,
                    )
                )
                stats["machine_open"] += 1
            if scanner[j]:
                t = s + int(r[j, 5] * 5)
                for link in range(1, 4 + (j % 2)):
                    rows.append(
                        (t, address, "click", f"https://www.tu-chemnitz.de/alumni/nl/{cid}/{link}", "", None)
                    )
                stats["scanner"] += 1
            if human_open[j]:
                t = s + int(open_delay[j])
                ua = ref.HUMAN_USER_AGENTS[ua_pick[j]]
                if not no_open_row[j]:
                    rows.append((t, address, "open", "", ua, None))
                if human_click[j]:
                    for c in range(int(n_links[j])):
                        rows.append(
                            (
                                t + 15 + 40 * c,
                                address,
                                "click",
                                f"https://www.tu-chemnitz.de/alumni/nl/{cid}/{links[j, c % 3]}",
                                ua,
                                None,
                            )
                        )
            if unsub[j]:
                rows.append((s + 3600 + int(r[j, 5] * 86400), address, "unsubscribe", "", "", None))
                net.unsubscribed[members[j]] = day + 1
            if complaint[j]:
                rows.append((s + 7200, address, "complaint", "", "", None))
                net.unsubscribed[members[j]] = day + 1
                self._email_blocked[email_idx[j]] = day + 1
        stats["sent"] += k
        stats["delivered"] += int(delivered.sum())
        stats["human_open"] += int(human_open.sum())
        stats["human_click_people"] += int(human_click.sum())
        if self.tools.divert_campaign(campaign, rows, members, email_idx):
            return  # sent with listmonk or Mautic: the tool's export has it, the portal's has not
        rows.sort(key=lambda row: row[0])
        for year, exp in exports.items():
            lo, hi = windows[year]
            if rows[-1][0] < lo or rows[0][0] >= hi:
                continue
            self._write_activity(exp, year, cid, [row for row in rows if lo <= row[0] < hi])

    def _write_activity(self, exp: CsvExport, year: int, cid: str, rows: list[tuple]) -> None:
        style = exp.style
        header = [h.strip().lower() for h in exp.header]
        dt, boolean = FMT.datetime, FMT.boolean
        records = []
        for s, address, action, link, ua, machine in rows:
            values = {
                "kampagnen-id": cid,
                "e-mail": address,
                "aktion": action,
                "zeitpunkt": dt(s, style),
                "link": link,
                "user-agent": ua,
                "maschinell": boolean(machine, style) if machine else "",
                "quelle": "mailer",
            }
            if style.delimiter in ua:  # user agents carry both ';' and ','
                values["user-agent"] = '"' + ua + '"'
            records.append(style.delimiter.join(values[h] for h in header))
        exp.write_plain_many(records)
        kinds = self._activity_kinds[year]
        if kinds:
            kind = kinds.pop()
            s, address = rows[0][0], rows[0][1]
            values = {
                "kampagnen-id": cid,
                "e-mail": address,
                "aktion": "open",
                "zeitpunkt": dt(s + 5, style),
                "link": "",
                "user-agent": "",
                "maschinell": "",
                "quelle": "mailer",
            }
            column, reason = {
                "unknown_campaign": ("Kampagnen-ID", "unknown_campaign"),
                "missing_campaign": ("Kampagnen-ID", "missing_required"),
                "unknown_action": ("Aktion", "invalid_value"),
                "missing_email": ("E-Mail", "missing_required"),
                "invalid_time": ("Zeitpunkt", "invalid_datetime"),
                "malformed_row": ("", "malformed_row"),
            }[kind]
            if kind == "unknown_campaign":
                values["kampagnen-id"] = cid.replace("NL-", "NL-X")
            elif kind == "missing_campaign":
                values["kampagnen-id"] = ""
            elif kind == "unknown_action":
                values["aktion"] = "forward"
            elif kind == "missing_email":
                values["e-mail"] = ""
            elif kind == "invalid_time":
                values["zeitpunkt"] = "32.13.2019 25:61"
            if kind == "malformed_row":
                line = exp.write_raw(style.delimiter.join([cid, address, "open"]))
            else:
                line = exp.write_raw(style.delimiter.join(values[h] for h in header))
            self.inject.record("newsletter_activity", exp, line, column, reason)

    # ------------------------------------------------------------------ events
    def _events(self) -> None:
        net, rng, scale = self.net, self.stream(6), self.config.scale
        events: list[dict] = []
        chemnitz = net.city_id("Chemnitz", "DE")
        for year in self.years:
            y0 = ordinal(date(year, 1, 1))
            plan: list[tuple[str, int, int]] = []  # (type, day, expected registrations)
            if year % 2 == 1:
                may18 = date(year, 5, 18)
                meeting = may18 + timedelta(days=(5 - may18.weekday()) % 7)  # Saturday on or after 18 May
                plan.append(("Alumnitreffen", ordinal(meeting), 380))
            for month, dd in [(4, 22), (5, 13), (6, 10), (10, 21), (11, 11), (12, 2)]:
                plan.append(("Ringvorlesung", ordinal(date(year, month, dd)), 45))
            for month in (3, 5, 9, 11, 2):
                plan.append(("Weiterbildung", ordinal(date(year, month, 8)) + int(rng.integers(0, 14)), 28))
            for month in (1, 4, 6, 11):
                plan.append(("Karriere", ordinal(date(year, month, 15)) + int(rng.integers(0, 10)), 55))
            for month in (3, 6, 9, 12):
                plan.append(("Netzwerk", ordinal(date(year, month, 5)) + int(rng.integers(0, 20)), 32))
            for month in (7, 10):
                plan.append(("Sonstiges", ordinal(date(year, month, 1)) + int(rng.integers(0, 25)), 22))
            for c, club in enumerate(self.clubs):
                if club["founded"] < y0 + 365 and club["dissolved_on"] > y0 + 180:
                    plan.append(
                        ("Clubtreffen", max(club["founded"] + 30, y0 + int(rng.integers(60, 330))), -1 - c)
                    )
            for n_ev, (typ, day, size) in enumerate(sorted(plan, key=lambda p: p[1])):
                if day > self.until:
                    continue
                club = self.clubs[-1 - size] if size < 0 else None
                if typ in ("Alumnitreffen", "Ringvorlesung", "Karriere", "Sonstiges"):
                    city, country = "Chemnitz", "DE"
                elif typ == "Weiterbildung":
                    city, country = ("Chemnitz", "DE") if rng.random() < 0.6 else ("", "")
                elif typ == "Netzwerk":
                    city, country = [
                        ("Dresden", "DE"),
                        ("Leipzig", "DE"),
                        ("Berlin", "DE"),
                        ("München", "DE"),
                        ("Chemnitz", "DE"),
                    ][int(rng.integers(0, 5))]
                else:
                    city, country = club["city"], club["country"]
                online = typ == "Weiterbildung" and city == ""
                fmt = (
                    "Online"
                    if online
                    else (
                        "Hybrid" if year >= 2020 and typ in ("Ringvorlesung", "Alumnitreffen") else "Präsenz"
                    )
                )
                if year == 2020 and typ in ("Alumnitreffen", "Ringvorlesung", "Netzwerk"):
                    fmt = "Online"
                if typ == "Ringvorlesung" and year >= tools.ZOOM_FROM:
                    fmt = "Online"  # a Zoom webinar since
                faculty = (
                    self.net.faculty_codes[int(rng.integers(0, 8))]
                    if typ in ("Karriere", "Weiterbildung")
                    else ""
                )
                hour = {"Alumnitreffen": 10, "Ringvorlesung": 17, "Clubtreffen": 19}.get(typ, 18)
                title = ref.EVENT_TITLES[typ].format(
                    topic=ref.FURTHER_EDUCATION_TOPICS[
                        int(rng.integers(0, len(ref.FURTHER_EDUCATION_TOPICS)))
                    ],
                    faculty=faculty,
                    city=city or "online",
                )
                if typ == "Alumnitreffen":
                    title += f" {year}"
                events.append(
                    {
                        "id": f"V-{year}-{n_ev + 1:03d}",
                        "title": title,
                        "type": typ,
                        "start": day * 86400 + hour * 3600 + (1800 if typ == "Ringvorlesung" else 0),
                        "city": city,
                        "country": country,
                        "format": fmt,
                        "organiser": "Club" if club else ("Fakultät" if faculty else "zentral"),
                        "club": club["id"] if club else "",
                        "club_index": -1 - size if club else -1,
                        "faculty": faculty,
                        "size": size,
                        "home": city == "Chemnitz",
                        "city_idx": net.city_id(city, country) if city else -1,
                    }
                )
        for ev in events:
            ev["external_id"] = self.tools.event_external_id(ev)
        self.events = events
        self._attendance(events, chemnitz, scale)

    def _attendance(self, events: list[dict], chemnitz: int, scale: float) -> None:
        net, rng = self.net, self.stream(7)
        everyone = np.arange(net.n)
        registrations: dict[str, list[list]] = {}
        reg_no = 0
        guest_no = 0
        facts = {"registrations": 0, "checked_in": 0, "speakers": 0}
        for ev in events:
            day = ev["start"] // 86400
            if ev["size"] < 0:
                club_members = everyone[(net.club == ev["club_index"]) & (net.club_join <= day)]
                pool = club_members[net.is_member_on(club_members, day)]
                expected = max(3, len(pool) * 0.4)
            else:
                pool = everyone[net.is_member_on(everyone, day)]
                expected = ev["size"] * scale
            if len(pool) == 0:
                registrations[ev["id"]] = []
                continue
            w = net.engagement(pool, day) + 0.02
            if ev["size"] >= 0:
                here = net.city_at(pool, day)
                w = w * np.where(here == chemnitz, 3.0 if ev["home"] else 1.0, 1.0)
                if ev["city_idx"] >= 0 and not ev["home"]:
                    w = w * np.where(here == ev["city_idx"], 8.0, 0.3)
            k = min(len(pool), int(rng.poisson(expected)))
            chosen = (
                rng.choice(pool, size=k, replace=False, p=w / w.sum()) if k else np.array([], dtype=np.int64)
            )
            rows = []
            # volunteers: speakers, mentors, helpers, organisers by event type
            roles = ["Teilnehmer/in"] * k
            n_roles = {
                "Ringvorlesung": [("Referent/in", 1 + (rng.random() < 0.3))],
                "Weiterbildung": [("Referent/in", 1)],
                "Karriere": [("Mentor/in", 2 + int(rng.integers(0, 3)))],
                "Alumnitreffen": [("Referent/in", 3), ("Helfer/in", 4), ("Organisator/in", 2)],
                "Netzwerk": [("Organisator/in", 1)],
                "Clubtreffen": [("Organisator/in", 1)],
            }.get(ev["type"], [])
            pos = 0
            for role, count in n_roles:
                for _ in range(int(count)):
                    if pos < k:
                        roles[pos] = role
                        pos += 1
            eng = net.engagement(chosen, day) if k else np.array([])
            for j, m in enumerate(chosen):
                reg_no += 1
                signed = day - int(rng.integers(1, 40))
                volunteer = roles[j] != "Teilnehmer/in"
                cancelled = not volunteer and rng.random() < 0.10
                attended = not cancelled and (volunteer or rng.random() < 0.78 + 0.2 * eng[j])
                checkin = ev["start"] - int(rng.integers(0, 1800)) if attended else None
                ident = rng.random()
                email = net.emails[net.email_index_at(np.array([m]), signed)[0]]
                member_id = net.member_ids[m] if ident < 0.65 else ""
                if member_id and ident < 0.35:
                    email = ""
                elif ident > 0.9:
                    email = f" {email.title()}"
                rows.append(
                    [
                        f"R-{reg_no:07d}",
                        ev["id"],
                        email,
                        member_id,
                        signed * 86400 + 43200,
                        "storniert" if cancelled else "angemeldet",
                        checkin,
                        roles[j],
                        int(m),  # who it is (not exported: the tool exports need the person)
                    ]
                )
                facts["registrations"] += 1
                facts["checked_in"] += attended
                facts["speakers"] += roles[j] == "Referent/in" and attended
            for _ in range(int(rng.poisson(0.05 * k))):  # guests who are not in the network
                reg_no += 1
                guest_no += 1
                rows.append(
                    [
                        f"R-{reg_no:07d}",
                        ev["id"],
                        f"gast{guest_no}@example.org",
                        "",
                        (day - 5) * 86400 + 43200,
                        "angemeldet",
                        ev["start"] - 600,
                        "Teilnehmer/in",
                        -1,
                    ]
                )
                facts["registrations"] += 1
                facts["checked_in"] += 1
            registrations[ev["id"]] = rows
        self.truth.facts["events"] = {"events": len(events), **facts}

        for year in self.years:
            lo = ordinal(date(year - 1, 12, 1)) * 86400
            hi = (ordinal(self.export_date(year)) + 1) * 86400
            if year < 2016:
                style = ExportStyle(
                    encoding="cp1252", delimiter=",", newline="\r\n", datetime_format="de", date_format="de"
                )
            elif year < 2019:
                style = ExportStyle(encoding="utf-8", delimiter=",", datetime_format="de", date_format="de")
            else:
                style = ExportStyle(encoding="utf-8", delimiter=";", datetime_format="iso", date_format="iso")
            stamp = FMT.day_iso(ordinal(self.export_date(year)))
            with_ids = year >= tools.CATALOGUE_IDS_FROM
            ev_header = EVENT_HEADER + (["Externe ID"] if with_ids else [])
            if year == tools.XLSX_EVENTS_YEAR:  # kept in Excel that year
                created = datetime.combine(self.export_date(year), datetime.min.time())
                ev_exp = XlsxExport(self.landing / "events" / f"events_{stamp}.xlsx", ev_header, created)
            else:
                ev_exp = self.open("events", "events", f"events_{stamp}.csv", ev_header, style)
            at_exp = self.open("attendance", "events", f"attendance_{stamp}.csv", ATTENDANCE_HEADER, style)
            ev_kinds = self.inject.kinds_for("events", year)
            at_kinds = self.inject.kinds_for("attendance", year)
            for ev in events:
                if not lo <= ev["start"] < hi:
                    continue
                row = [
                    ev["id"],
                    ev["title"],
                    ev["type"],
                    FMT.datetime(ev["start"], style),
                    ev["city"],
                    self._country_label(ev["country"], year) if ev["country"] else "",
                    ev["format"],
                    ev["organiser"],
                    ev["club"],
                    ev["faculty"],
                ] + ([ev["external_id"]] if with_ids else [])
                if isinstance(ev_exp, XlsxExport):
                    row[3] = datetime(1970, 1, 1) + timedelta(seconds=ev["start"])  # a typed date cell
                    if ev["external_id"].isdigit() and int(ev["id"][-3:]) % 2:
                        row[-1] = int(ev["external_id"])  # Excel turned some webinar ids into numbers
                ev_exp.write(row)
                if ev_kinds:
                    kind = ev_kinds.pop()
                    bad = list(row)
                    if kind == "duplicate_id":
                        bad[1] += " (verschoben)"
                        line = ev_exp.write(bad)
                        self.inject.record("events", ev_exp, line, "Veranstaltungs-ID", "duplicate_id")
                    else:
                        bad[0], bad[3] = ev["id"] + "-B", ""
                        line = ev_exp.write(bad)
                        self.inject.record("events", ev_exp, line, "Beginn", "missing_required")
                for reg in registrations[ev["id"]]:
                    if self.tools.diverts_registration(ev, reg):
                        continue  # in the tool's export instead
                    out = [
                        reg[0],
                        reg[1],
                        reg[2],
                        reg[3],
                        FMT.date(reg[4] // 86400, style),
                        reg[5],
                        FMT.datetime(reg[6], style) if reg[6] is not None else "",
                        reg[7],
                    ]
                    at_exp.write(out)
                    if at_kinds:
                        kind = at_kinds.pop()
                        bad = list(out)
                        column, reason = {
                            "unknown_event": ("Veranstaltungs-ID", "unknown_event"),
                            "missing_identity": ("Mitgliedsnummer", "missing_identity"),
                            "duplicate_id": ("Anmelde-ID", "duplicate_id"),
                            "missing_id": ("Anmelde-ID", "missing_required"),
                        }[kind]
                        if kind == "unknown_event":
                            bad[0], bad[1] = reg[0] + "X", ev["id"].replace("V-", "V-9")
                        elif kind == "missing_identity":
                            bad[0], bad[2], bad[3] = reg[0] + "Y", "", ""
                        elif kind == "missing_id":
                            bad[0] = ""
                        line = at_exp.write(bad)
                        self.inject.record("attendance", at_exp, line, column, reason)
            self.close("events", ev_exp)
            self.close("attendance", at_exp)
        self.tools.write_event_exports(events, registrations)

    # ------------------------------------------------------------------ club activity reports
    def _club_reports(self) -> None:
        net, rng = self.net, self.stream(8)
        reports = []
        n_report = 0
        for club in self.clubs:
            d = from_ordinal(club["founded"])
            q_start = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
            while ordinal(q_start) <= self.horizon:  # reports after `until` are drawn, then left out
                q_end = date(q_start.year + (q_start.month == 10), (q_start.month + 2) % 12 + 1, 1)
                lo, hi = max(ordinal(q_start), club["founded"]), min(ordinal(q_end) - 1, self.horizon)
                vigor = club["vigor"] if lo < club["sleeps_on"] else 0.05
                if lo >= club["dissolved_on"]:
                    break
                members = np.flatnonzero((net.club == self.clubs.index(club)) & (net.club_join <= hi))
                for activity, rate, (a_lo, a_hi) in ref.CLUB_ACTIVITIES:
                    for _ in range(int(rng.poisson(rate * vigor))):
                        n_report += 1
                        day = int(rng.integers(lo, hi + 1))
                        by = (
                            club["ambassador"]
                            if rng.random() < 0.8 or len(members) == 0
                            else int(rng.choice(members))
                        )
                        participants = int(rng.integers(4, 26)) if activity == "Clubtreffen" else None
                        note = ref.CLUB_NOTES[int(rng.integers(0, len(ref.CLUB_NOTES)))]
                        note = note.format(name=f"{net.first[by]} {net.last[by]}")
                        if rng.random() < 0.02:
                            note += '\nFortsetzung folgt; Kontakt: "siehe Liste"'
                        reports.append(
                            {
                                "id": f"B-{n_report:06d}",
                                "club": club["id"],
                                "day": day,
                                "activity": activity,
                                "count": int(rng.integers(a_lo, a_hi + 1)),
                                "participants": participants,
                                "by": net.member_ids[by],
                                "by_index": by,
                                "note": note,
                            }
                        )
                q_start = q_end
        reports = sorted((r for r in reports if r["day"] <= self.until), key=lambda r: r["day"])
        self.club_reports = reports
        for year in self.years:
            if year < 2017:
                continue
            lo, hi = ordinal(date(year - 1, 12, 1)), ordinal(self.export_date(year))
            style = ExportStyle(encoding="utf-8", delimiter=";", date_format="de" if year < 2022 else "iso")
            exp = self.open(
                "club_activities", "clubs", f"activities_{FMT.day_iso(hi)}.csv", CLUB_ACTIVITY_HEADER, style
            )
            kinds = self.inject.kinds_for("club_activities", year)
            for rep in reports:
                if not lo <= rep["day"] <= hi:
                    continue
                row = [
                    rep["id"],
                    rep["club"],
                    FMT.date(rep["day"], style),
                    rep["activity"],
                    "" if rep["count"] == 1 and rep["activity"] == "Clubtreffen" else str(rep["count"]),
                    "" if rep["participants"] is None else str(rep["participants"]),
                    rep["by"],
                    rep["note"],
                ]
                exp.write(row)
                if kinds:
                    kind = kinds.pop()
                    bad = list(row)
                    if kind == "unknown_club":
                        bad[0], bad[1] = rep["id"] + "X", "C-999"
                        column, reason = "Club-ID", "unknown_club"
                    elif kind == "missing_date":
                        bad[0], bad[2] = rep["id"] + "Y", ""
                        column, reason = "Datum", "missing_required"
                    else:
                        column, reason = "Bericht-ID", "duplicate_id"
                    line = exp.write(bad)
                    self.inject.record("club_activities", exp, line, column, reason)
            self.close("club_activities", exp)
        founded = sum(club["founded"] <= self.until for club in self.clubs)
        self.truth.facts["clubs"] = {"clubs": founded, "reports": len(reports)}

    # ------------------------------------------------------------------ donations
    def _donations(self) -> None:
        net, rng, scale = self.net, self.stream(9), self.config.scale
        everyone = np.arange(net.n)
        purposes = ["Deutschlandstipendium", "Förderverein", "Fakultät", "Sonstiges"]
        n_don = 0
        style = ExportStyle(encoding="cp1252", delimiter=";", newline="\r\n", date_format="de")
        total = 0
        for year in self.years:
            if year < 2014:
                continue
            # the whole year is drawn, in order of the day; what lies after `until` is left out
            y0, y1 = ordinal(date(year, 1, 1)), ordinal(date(year, 12, 31))
            exported = ordinal(self.export_date(year))
            exp = self.open(
                "donations", "donations", f"donations_{FMT.day_iso(exported)}.csv", DONATION_HEADER, style
            )
            kinds = self.inject.kinds_for("donations", year)
            k = int(rng.poisson(30 * scale * (y1 - y0 + 1) / 365))
            for day in np.sort(rng.integers(y0, y1 + 1, k)):
                day = int(day)
                if day > exported:
                    break
                pool = everyone[net.is_member_on(everyone, day)]
                w = net.engagement(pool, day) ** 2 + 1e-4
                m = int(rng.choice(pool, p=w / w.sum()))
                n_don += 1
                amount = float(np.round(np.exp(rng.normal(4.0, 1.0)), 0))
                amount = max(amount, 10.0)
                text = (
                    f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
                    if rng.random() < 0.7
                    else f"{amount:.2f}"
                )
                ident = rng.random()
                member_id = net.member_ids[m] if ident < 0.8 else ""
                email = (
                    ""
                    if ident < 0.8
                    else (
                        net.emails[net.email_index_at(np.array([m]), day)[0]]
                        if ident < 0.95
                        else f"spender{n_don}@example.org"
                    )
                )
                row = [
                    f"S-{n_don:06d}",
                    member_id,
                    email,
                    FMT.date(day, style),
                    text,
                    purposes[int(rng.choice(4, p=[0.45, 0.3, 0.15, 0.1]))],
                ]
                exp.write(row)
                total += 1
                if kinds:
                    kind = kinds.pop()
                    bad = list(row)
                    if kind != "duplicate_id":
                        bad[0] = row[0] + "-K"
                    column, reason = (
                        "Betrag",
                        {
                            "zero_amount": "non_positive_amount",
                            "negative_amount": "non_positive_amount",
                            "invalid_amount": "invalid_decimal",
                        }.get(kind, "duplicate_id"),
                    )
                    bad[4] = {
                        "zero_amount": "0,00",
                        "negative_amount": "-25,00",
                        "invalid_amount": "fünfzig",
                    }.get(kind, bad[4])
                    if kind == "duplicate_id":
                        column = "Spenden-ID"
                    line = exp.write(bad)
                    self.inject.record("donations", exp, line, column, reason)
            self.close("donations", exp)
        self.truth.facts["donations"] = {"donations": total}

    # ------------------------------------------------------------------ member snapshots
    def _snapshot_days(self) -> list[int]:
        days = {ordinal(date(y, 1, 15)) for y in self.years if date(y, 1, 15) <= self.config.until}
        u = self.config.until
        for back in range(12):
            y, m = u.year, u.month - back
            while m <= 0:
                y, m = y - 1, m + 12
            d = date(y, m, 15)
            if date(2012, 1, 15) <= d <= u:
                days.add(ordinal(d))
        return sorted(days)

    def _members(self) -> None:
        net, rng = self.net, self.stream(10)
        countries = ref.countries()
        fac_names = {row["faculty_code"]: row["name_de"] for row in ref.seed("faculties")}
        everyone = np.arange(net.n)
        snapshot_days = self._snapshot_days()
        soft_plan = {
            int(i): kind
            for i, kind in zip(
                rng.choice(net.n, size=9, replace=False),
                ["unknown_status"] * 3 + ["bad_year"] * 3 + ["bad_email"] * 3,
                strict=True,
            )
        }
        soft_snapshot = snapshot_days[-1]
        counts = {}
        for s_no, day in enumerate(snapshot_days):
            d = from_ordinal(day)
            if d.year < 2018:
                style = ExportStyle(encoding="cp1252", delimiter=";", newline="\r\n", date_format="de")
            elif d.year < 2022:
                style = ExportStyle(encoding="utf-8-sig", delimiter=";", newline="\r\n", date_format="de")
            else:
                style = ExportStyle(
                    encoding="utf-8", delimiter="," if d.year == 2023 else ";", date_format="iso"
                )
            header = (
                MEMBER_HEADER
                if d.year < 2022
                else (
                    [
                        "Registriert am",
                        "mitgliedsnummer",
                        "Nachname",
                        "Vorname",
                        "Anrede",
                        "Titel",
                        " E-Mail ",
                    ]
                    + MEMBER_HEADER[6:13]
                    + MEMBER_HEADER[14:]
                    + ["Letzte Änderung"]
                )
            )
            keys = [h.strip().lower() for h in header]
            exp = self.open("members", "members", f"members_{d.isoformat()}.csv", header, style)
            kinds = self.inject.kinds_for("members", s_no)
            registered = everyone[net.registered <= day]
            present = registered[
                (
                    (net.left[registered] > day)
                    | (net.rejoin[registered] <= day)
                    | ((net.left_mode[registered] == 1) & (day - net.left[registered] < 400))
                )
                & (net.erased_on[registered] + 45 > day)  # the portal keeps erased people for a few weeks
            ]
            email_idx = net.email_index_at(present, day)
            cities = net.city_at(present, day)
            active_count = 0
            for j, m in enumerate(present):
                left = net.left[m] <= day and net.rejoin[m] > day
                active_count += not left
                city, code = net.cities[cities[j]]
                fac = net.faculty_codes[net.faculty[m]]
                email = net.emails[email_idx[j]]
                status = net.status_labels[net.status[m]]
                year_text = str(net.grad_year[m]) if net.grad_year[m] else ""
                soft = soft_plan.get(int(m)) if day == soft_snapshot else None
                if soft == "unknown_status":
                    status = "Gasthörer/in"
                elif soft == "bad_year":
                    year_text = "2099"
                elif soft == "bad_email":
                    email = email.replace("@", "@@")
                values = {
                    "mitgliedsnummer": net.member_ids[m],
                    "anrede": "Frau" if net.female[m] else "Herr",
                    "titel": net.title[m],
                    "vorname": net.first[m],
                    "nachname": net.last[m],
                    "e-mail": email,
                    "statusgruppe": status,
                    "fakultät": fac if d.year >= 2019 or fac not in fac_names else fac_names[fac],
                    "studiengang": net.programme[m],
                    "abschluss": net.degree[m],
                    "abschlussjahr": year_text,
                    "land": self._country_label(code, int(m) + d.year) if code in countries else code,
                    "ort": city,
                    "registriert am": FMT.date(int(net.registered[m]), style),
                    "newsletter": FMT.boolean(bool(net.newsletter[m] and net.unsubscribed[m] > day), style),
                    "tracking": FMT.boolean(bool(net.tracking[m]), style),
                    "kontaktfreigabe": FMT.boolean(bool(net.contact[m]), style) if net.contact[m] else "",
                    "club": self.clubs[net.club[m]]["id"]
                    if net.club[m] >= 0 and net.club_join[m] <= day
                    else "",
                    "status": "abgemeldet" if left else "aktiv",
                    "abgemeldet am": FMT.date(int(net.left[m]), style) if left else "",
                    "letzte änderung": FMT.date(day - 1, style),
                }
                line = exp.write([values[k] for k in keys])
                if soft:
                    column = {
                        "unknown_status": "Statusgruppe",
                        "bad_year": "Abschlussjahr",
                        "bad_email": "E-Mail",
                    }[soft]
                    self.inject.soft("members", exp, line, column, soft)
                if kinds and j > 3:
                    kind = kinds.pop()
                    bad = dict(values)
                    bad["mitgliedsnummer"] = f"A-9{s_no:02d}{len(kinds):03d}"
                    column, reason = {
                        "missing_id": ("Mitgliedsnummer", "missing_required"),
                        "duplicate_id": ("Mitgliedsnummer", "duplicate_id"),
                        "missing_registered": ("Registriert am", "missing_required"),
                        "invalid_registered": ("Registriert am", "invalid_date"),
                        "malformed_row": ("", "malformed_row"),
                    }[kind]
                    if kind == "missing_id":
                        bad["mitgliedsnummer"] = ""
                    elif kind == "duplicate_id":
                        bad["mitgliedsnummer"] = net.member_ids[m]
                    elif kind == "missing_registered":
                        bad["registriert am"] = ""
                    elif kind == "invalid_registered":
                        bad["registriert am"] = "31.02.2019"
                    if kind == "malformed_row":
                        line = exp.write_raw(
                            style.delimiter.join([bad["mitgliedsnummer"], "Herr", "", "Max"])
                        )
                    else:
                        line = exp.write([bad[k] for k in keys])
                    self.inject.record("members", exp, line, column, reason)
            counts[d.isoformat()] = active_count
            self.close("members", exp)
        self.truth.facts["members_active_by_snapshot"] = counts

    # ------------------------------------------------------------------ facts
    def _facts(self) -> None:
        net = self.net
        everyone = np.arange(net.n)
        mid_2017 = ordinal(date(2017, 6, 30))
        today = self.until
        active_today = net.is_member_on(everyone, today)
        countries = {net.cities[c][1] for c in net.city_at(everyone[active_today], today)}
        self.truth.facts.update(
            {
                "members_registered": int((net.registered <= today).sum()),
                "members_mid_2017": int(net.is_member_on(everyone, mid_2017).sum())
                if today >= mid_2017
                else None,
                "members_until": int(active_today.sum()),
                "countries_until": len(countries),
                "duplicate_people": int(((net.duplicate_of >= 0) & (net.registered <= today)).sum()),
                "erased": len(self.erasure_rows),
                "campaigns": len(self.campaigns),
            }
        )


def generate(config: GenerateConfig) -> Path:
    """Write the demo exports into `config.data_dir/landing`; return the truth file's path."""
    return DemoGenerator(config).run()

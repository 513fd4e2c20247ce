"""The office's tools' exports as the tools write them (TOOLS.md): pretix, Zoom, listmonk, Mautic.

Each kind of export is declared once: its signature columns per header language, the raw table it loads to,
and its columns (the tool's header in each language, or a value derived from other fields in SQL, such as a
pretix event slug taken from the file name: `derived_sql`). A `Source` is built per kind and language from that
declaration, so the loader applies the same typing, row rules, keyed hashes, quarantine and ledger as to
canonical files.
The mapping to canonical registrations and newsletter events happens in dbt (models `*_pretix__*` etc.).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipelines.ingest.reading import (
    FileRejected,
    decode,
    detect_delimiter,
    field_count_message,
    header_positions,
    normalise_header,
    sql_literal,
    sql_strip,
)
from pipelines.ingest.sources import (
    ADDRESS,
    BOOL,
    DATETIME,
    DELETE,
    DETACH,
    EMAIL,
    MEMBER_ID,
    NOT_PERSONAL_VALUES,
    PERSONAL_VALUES,
    REGISTRATION,
    TEXT,
    TOMBSTONE,
    Column,
    Privacy,
    Reference,
    Rule,
    Source,
    hashed,
)
from pipelines.ingest.tables import TableExport, is_workbook, read_workbook

ZOOM_TIMES = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%b %d, %Y %H:%M:%S", "%b %d, %Y %I:%M:%S %p")
PRETIX_LIST_TIMES = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S")
MAUTIC_TIMES = ("%B %d, %Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
DERIVED = ""  # a column derived from other fields (`derived_sql`): no header of its own in the file


@dataclass(frozen=True)
class ToolColumn:
    name: str  # column in raw.<table>
    en: str  # header in an English export (DERIVED: computed by `derived_sql`)
    de: str = ""  # header in a German export (empty: the tool does not translate it)
    kind: str = TEXT
    privacy: Privacy = NOT_PERSONAL_VALUES  # as for canonical columns (sources.py)
    required: bool = False
    formats: tuple[str, ...] = ()
    label: str = ""  # what a derived column is, in reasons (in parentheses: never a header of the file)

    def header(self, language: str) -> str:
        if self.en == DERIVED:
            return f"({self.label or self.name})"
        return (self.de or self.en) if language == "de" else self.en


@dataclass(frozen=True)
class ToolKind:
    tool: str
    kind: str
    table: str
    description: str
    signature: dict[str, tuple[str, ...]]  # language -> headers that must all be there
    columns: tuple[ToolColumn, ...]
    absent: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> headers that must not be
    references: tuple[Reference, ...] = ()
    rules: Callable[[str], tuple[Rule, ...]] = lambda language: ()
    post_load: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()  # the sheet of an .xlsx export

    def matches(self, header: set[str]) -> str | None:
        for language, needed in self.signature.items():
            if all(normalise_header(h) in header for h in needed) and not any(
                normalise_header(h) in header for h in self.absent.get(language, ())
            ):
                return language
        return None

    def source(self, language: str) -> Source:
        return _source(self, language)


_SOURCES: dict[tuple[str, str], Source] = {}


def _source(kind: ToolKind, language: str) -> Source:
    if (kind.kind, language) not in _SOURCES:
        _SOURCES[(kind.kind, language)] = Source(
            name=kind.table,
            folder=kind.tool,
            prefix=kind.kind,
            columns=tuple(
                Column(
                    c.header(language),
                    c.name,
                    c.kind,
                    required=c.required,
                    privacy=c.privacy,
                    formats=c.formats,
                )
                for c in kind.columns
            ),
            references=kind.references,
            rules=kind.rules(language),
            post_load=kind.post_load,
            description=kind.description,
            upstream=tuple(dict.fromkeys(r.source for r in kind.references)),
            tool=kind.tool,
            kind=kind.kind,
            language=language,
        )
    return _SOURCES[(kind.kind, language)]


def _v(name: str) -> str:
    return f"trim(v_{name})"


# --------------------------------------------------------------------------------------------- pretix

EVENT_REF = Reference("event_ref", "events", "external_id", "unknown_event", also=("event_id",))
# event slug | order code | position: its keyed hash ties scans and list rows to their registration, so that
# erasing the registration's person erases them too (the order position's key becomes a tombstone), even when
# they load later
REGISTRATION_KEY = ToolColumn(
    "registration_key", DERIVED, kind=MEMBER_ID, label="registration", privacy=hashed(REGISTRATION)
)

PRETIX_ORDER_POSITIONS = ToolKind(
    tool="pretix",
    kind="order_positions",
    table="pretix_order_positions",
    description="pretix order data, sheet 'Order positions': one row per ticket (add-ons included).",
    signature={"en": ("Order code", "Position ID", "Status"), "de": ("Bestellnummer", "Position", "Status")},
    absent={"en": ("Scan type",), "de": ("Scan-Typ",)},
    sheets=("Order positions", "Bestellpositionen"),
    columns=(
        ToolColumn("event_ref", DERIVED, required=True, label="event slug"),
        ToolColumn("order_code", "Order code", "Bestellnummer", required=True),
        ToolColumn("position_id", "Position ID", "Position", required=True),
        ToolColumn("status", "Status", "Status"),
        # an order placed by someone else for the attendee: erasing the orderer keeps the attendee's ticket
        ToolColumn("order_email", "Email", "E-Mail", EMAIL, privacy=hashed(ADDRESS, DETACH)),
        ToolColumn(
            "attendee_email", "Attendee email", "E-Mail Teilnehmer*in", EMAIL, privacy=hashed(ADDRESS, DELETE)
        ),
        ToolColumn("email", DERIVED, kind=EMAIL, privacy=hashed(ADDRESS, DELETE)),
        ToolColumn(
            "ordered_at",
            DERIVED,
            kind=DATETIME,
            formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
            label="Order date + time",
        ),
        ToolColumn("product", "Product", "Produkt"),
        ToolColumn("variation", "Variation", "Variante"),
        ToolColumn("attendee_name", "Attendee name", "Name Teilnehmer*in", privacy=PERSONAL_VALUES),
        ToolColumn("addon_to", "Add-on to position ID", "Zusatzprodukt zu Position"),
        replace(REGISTRATION_KEY, privacy=hashed(REGISTRATION, TOMBSTONE)),
    ),
    references=(EVENT_REF,),
)

# the registrations (non-add-on positions) of the same event and order, as the check-in rules see them
_POSITIONS = "raw.pretix_order_positions as p where p.event_ref = {ev} and p.order_code = {oc}"


def _checkin_log_rules(language: str) -> tuple[Rule, ...]:
    entry = "('entry', 'eingang')"
    condition = (
        f"lower({_v('scan_type')}) in {entry} and upper({_v('result')}) = 'OK' and not exists (select 1 from "
        + _POSITIONS.format(ev=_v("event_ref"), oc=_v("order_code"))
        + f" and p.position_id = {_v('position_id')})"
    )
    header = "Order code" if language == "en" else "Bestellnummer"
    return (Rule(condition, "unknown_registration", header),)


PRETIX_CHECKIN_LOG = ToolKind(
    tool="pretix",
    kind="checkin_log",
    table="pretix_checkin_log",
    description="pretix check-in log: one row per scan (entries, exits, failed scans).",
    signature={"en": ("Scan type", "Result"), "de": ("Scan-Typ", "Ergebnis")},
    columns=(
        ToolColumn("event_ref", DERIVED, required=True, label="event slug"),
        ToolColumn(
            "scanned_at",
            DERIVED,
            kind=DATETIME,
            required=True,
            formats=PRETIX_LIST_TIMES,
            label="Date + Time",
        ),
        ToolColumn("checkin_list", "Check-in list", "Check-in-Liste"),
        ToolColumn("scan_type", "Scan type", "Scan-Typ"),
        ToolColumn("order_code", "Order code", "Bestellnummer", required=True),
        ToolColumn("position_id", "Position ID", "Position"),
        ToolColumn("product", "Product", "Produkt"),
        ToolColumn("attendee_name", "Name", "Name", privacy=PERSONAL_VALUES),
        ToolColumn("result", "Result", "Ergebnis"),
        REGISTRATION_KEY,
    ),
    references=(EVENT_REF,),
    rules=_checkin_log_rules,
)


def _candidates(both: bool) -> str:
    sql = (
        "(select count(distinct p.position_id) from "
        + _POSITIONS.format(ev=_v("event_ref"), oc=_v("order_code"))
        + " and coalesce(p.addon_to, '') = ''"
    )
    if both:
        sql += (
            f" and p.attendee_name = {_v('attendee_name')} and (p.product = {_v('product')} "
            f"or p.product || ' – ' || p.variation = {_v('product')})"
        )
    return sql + ")"


def _checkin_list_rules(language: str) -> tuple[Rule, ...]:
    header = "Order code" if language == "en" else "Bestellnummer"
    checked = f"{_v('checked_in_at')} <> ''"
    return (
        Rule(f"{checked} and {_candidates(True)} > 1", "ambiguous_registration", header),
        Rule(
            f"{checked} and {_candidates(True)} = 0 and {_candidates(False)} <> 1",
            "unknown_registration",
            header,
        ),
    )


def checkin_key(row: str, position: str) -> str:
    """SQL: the registration a check-in list row (alias `row`) was matched to (the position id `position`):
    event, order and position, each stripped as Python strips it, as `derived_sql` joins them for the order
    positions."""
    return " || '|' || ".join(sql_strip(part) for part in (f"{row}.event_ref", f"{row}.order_code", position))


_CHECKIN_KEY = checkin_key("l", "m.position_id")

PRETIX_CHECKIN_LIST = ToolKind(
    tool="pretix",
    kind="checkin_list",
    table="pretix_checkin_list",
    description="pretix check-in list: one row per attendee with the last check-in (no position column).",
    signature={"en": ("Checked in", "Order code"), "de": ("Eingecheckt", "Bestellnummer")},
    absent={"en": ("Position ID",), "de": ("Position",)},
    columns=(
        ToolColumn("event_ref", DERIVED, required=True, label="event slug"),
        ToolColumn("order_code", "Order code", "Bestellnummer", required=True),
        ToolColumn("attendee_name", "Attendee name", "Name Teilnehmer*in", privacy=PERSONAL_VALUES),
        ToolColumn("product", "Product", "Produkt"),
        ToolColumn("checked_in_at", "Checked in", "Eingecheckt", DATETIME, formats=PRETIX_LIST_TIMES),
        ToolColumn("email", "Email", "E-Mail", EMAIL, privacy=hashed(ADDRESS)),
        ToolColumn("position_id", DERIVED),  # the registration the row was matched to (set after loading)
        REGISTRATION_KEY,  # likewise
    ),
    references=(EVENT_REF,),
    rules=_checkin_list_rules,
    post_load=(
        # the one candidate of each row: by product and name, else the order's only registration; its key made
        # as the order positions' is (`derived_sql`: each part stripped as Python strips it, upper-cased)
        f"""
        update raw.pretix_checkin_list as l set position_id = m.position_id,
            registration_key = upper({_CHECKIN_KEY}),
            registration_key_hash = alumni_hmac(upper({_CHECKIN_KEY}))
        from (
            select l2.rowid as row_id, coalesce(
                (select min(p.position_id) from raw.pretix_order_positions as p
                 where p.event_ref = l2.event_ref and p.order_code = l2.order_code and coalesce(p.addon_to, '') = ''
                   and p.attendee_name = l2.attendee_name
                   and (p.product = l2.product or p.product || ' – ' || p.variation = l2.product)),
                (select min(p.position_id) from raw.pretix_order_positions as p
                 where p.event_ref = l2.event_ref and p.order_code = l2.order_code and coalesce(p.addon_to, '') = ''
                 having count(distinct p.position_id) = 1)
            ) as position_id
            from raw.pretix_checkin_list as l2 where l2._file_sha256 = $sha
        ) as m
        where l.rowid = m.row_id and m.position_id is not null
        """,
    ),
)

# --------------------------------------------------------------------------------------------- Zoom

ZOOM_SECTIONS = {"host details": "host", "panelist details": "panelist", "attendee details": "attendee"}

ZOOM_WEBINAR_ATTENDEES = ToolKind(
    tool="zoom",
    kind="webinar_attendees",
    table="zoom_webinar_participants",
    description="Zoom webinar attendee report: host, panelists and attendees, one row per join session.",
    signature={"en": ("Attendee Details",)},  # a section line, not a column (see read_zoom)
    columns=(
        ToolColumn("webinar_ref", DERIVED, required=True, label="Webinar ID"),
        ToolColumn("section", DERIVED, required=True),
        ToolColumn("attended", "Attended", kind=BOOL),
        ToolColumn("user_name", "User Name (Original Name)", privacy=PERSONAL_VALUES),
        ToolColumn("email", "Email", kind=EMAIL, privacy=hashed(ADDRESS)),
        ToolColumn("registered_at", "Registration Time", kind=DATETIME, formats=ZOOM_TIMES),
        ToolColumn("joined_at", "Join Time", kind=DATETIME, formats=ZOOM_TIMES),
        ToolColumn("left_at", "Leave Time", kind=DATETIME, formats=ZOOM_TIMES),
    ),
    # the catalogue may hold the id as Zoom shows it (`812 3456 7890`): compared as digits
    rules=lambda language: (
        Rule(
            f"{_v('webinar_ref')} not in (select regexp_replace(external_id, '\\D', '', 'g') from raw.events "
            "where external_id is not null union all select event_id from raw.events)",
            "unknown_event",
            "(Webinar ID)",
        ),
        Rule(f"{_v('section')} <> 'host' and {_v('email')} = ''", "missing_email", "Email"),
    ),
)

# --------------------------------------------------------------------------------------------- listmonk

_LISTMONK_COLUMNS = (
    ToolColumn("campaign_id", "campaign_id", required=True),
    ToolColumn("campaign_uuid", "campaign_uuid"),
    ToolColumn("subscriber_id", "subscriber_id", privacy=PERSONAL_VALUES),  # one person in listmonk
    ToolColumn("email", "email", kind=EMAIL, privacy=hashed(ADDRESS)),
    ToolColumn("created_at", "created_at", kind=DATETIME, required=True),
)


def _listmonk_campaign_rule(language: str) -> tuple[Rule, ...]:
    known = (
        "select external_id from raw.newsletter_campaigns where external_id is not null "
        "union all select campaign_id from raw.newsletter_campaigns"
    )
    return (
        Rule(
            f"{_v('campaign_id')} not in ({known}) and {_v('campaign_uuid')} not in ({known})",
            "unknown_campaign",
            "campaign_id",
        ),
    )


LISTMONK_CAMPAIGN_VIEWS = ToolKind(
    tool="listmonk",
    kind="campaign_views",
    table="listmonk_campaign_views",
    description="listmonk campaign views (opens); anonymous where individual tracking is off.",
    signature={"en": ("campaign_id", "subscriber_id", "created_at")},
    absent={"en": ("url",)},
    columns=_LISTMONK_COLUMNS,
    rules=_listmonk_campaign_rule,
)
LISTMONK_CAMPAIGN_CLICKS = ToolKind(
    tool="listmonk",
    kind="campaign_clicks",
    table="listmonk_campaign_clicks",
    description="listmonk campaign link clicks; anonymous where individual tracking is off.",
    signature={"en": ("campaign_id", "subscriber_id", "created_at", "url")},
    columns=(*_LISTMONK_COLUMNS, ToolColumn("url", "url")),
    rules=_listmonk_campaign_rule,
)
LISTMONK_SUBSCRIBERS = ToolKind(
    tool="listmonk",
    kind="subscribers",
    table="listmonk_subscribers",
    description="listmonk subscribers export: recognised and kept for erasure; no metric uses it.",
    signature={"en": ("uuid", "email", "attributes", "status")},
    columns=(
        ToolColumn("subscriber_uuid", "uuid", privacy=PERSONAL_VALUES),
        ToolColumn("email", "email", kind=EMAIL, privacy=hashed(ADDRESS)),
        ToolColumn("status", "status"),
        ToolColumn("created_at", "created_at"),
    ),
)

# --------------------------------------------------------------------------------------------- Mautic


def _mautic_campaign_rule(language: str) -> tuple[Rule, ...]:
    known = (
        "select external_id from raw.newsletter_campaigns where external_id is not null "
        "union all select subject from raw.newsletter_campaigns where subject is not null"
    )
    from pipelines.ingest.rules import email_valid  # rules reads the catalogue, which reads this module

    return (
        Rule(f"{_v('email')} = ''", "missing_email", "Email address"),
        # a send is an address's: one that is no address has no keyed hash, which the report's blocking
        # expectation (every row a recipient) would refuse the whole file for
        Rule(f"not {email_valid(MAUTIC_EMAIL_STATS.columns[0])}", "invalid_email", "Email address"),
        Rule(f"{_v('subject')} not in ({known})", "unknown_campaign", "Subject"),
    )


MAUTIC_EMAIL_STATS = ToolKind(
    tool="mautic",
    kind="email_stats",
    table="mautic_email_stats",
    description="Mautic report 'Emails sent': one row per e-mail sent, with read, click, bounce, unsubscribe.",
    signature={"en": ("Email address", "Date sent")},
    columns=(
        ToolColumn("email", "Email address", kind=EMAIL, privacy=hashed(ADDRESS)),
        ToolColumn("subject", "Subject"),
        ToolColumn("sent_at", "Date sent", kind=DATETIME, required=True, formats=MAUTIC_TIMES),
        ToolColumn("is_read", "Read", kind=BOOL),
        ToolColumn("read_at", "Date read", kind=DATETIME, formats=MAUTIC_TIMES),
        ToolColumn("is_clicked", "Clicked", kind=BOOL),
        ToolColumn("is_unsubscribed", "Unsubscribed", kind=BOOL),
        ToolColumn("is_bounced", "Bounced", kind=BOOL),
        ToolColumn("read_delay", "Read delay"),
        # whether the report has these columns at all: a missing column is unknown, not "no"
        ToolColumn("reports_bounces", DERIVED, kind=BOOL),
        ToolColumn("reports_unsubscribes", DERIVED, kind=BOOL),
    ),
    rules=_mautic_campaign_rule,
)

KINDS: tuple[ToolKind, ...] = (
    PRETIX_ORDER_POSITIONS,
    PRETIX_CHECKIN_LOG,
    PRETIX_CHECKIN_LIST,
    ZOOM_WEBINAR_ATTENDEES,
    LISTMONK_CAMPAIGN_VIEWS,
    LISTMONK_CAMPAIGN_CLICKS,
    LISTMONK_SUBSCRIBERS,
    MAUTIC_EMAIL_STATS,
)
TOOLS = ("pretix", "zoom", "listmonk", "mautic")
UPSTREAM = {"pretix": ("events",), "zoom": ("events",), "listmonk": ("newsletter_campaigns",),
            "mautic": ("newsletter_campaigns",)}  # fmt: skip


def kinds_of(tool: str) -> tuple[ToolKind, ...]:
    return tuple(k for k in KINDS if k.tool == tool)


def tables() -> list[Source]:
    """One `Source` per raw table of a tool kind (for the schema and the quality checks)."""
    return [k.source("en") for k in KINDS]


# --------------------------------------------------------------------------------------------- reading


@dataclass
class ToolFile:
    kind: ToolKind
    language: str
    export: TableExport

    @property
    def source(self) -> Source:
        return self.kind.source(self.language)


def expected_kinds(tool: str) -> str:
    names = ", ".join(f"{k.kind} ({' + '.join(next(iter(k.signature.values())))})" for k in kinds_of(tool))
    hint = " Mautic reports must be exported with English column labels." if tool == "mautic" else ""
    return f"expected one of: {names}.{hint}"


@functools.cache
def _known_headers(tool: str) -> tuple[str, ...]:
    """Every column name any kind of this tool knows, in every language (once per tool, not per file)."""
    known = [c.header(language) for k in kinds_of(tool) for language in k.signature for c in k.columns]
    known += [h for k in kinds_of(tool) for names in k.signature.values() for h in names]
    return tuple(dict.fromkeys(known))


def _tool_delimiter(text: str, tool: str) -> str:
    """The delimiter that splits the header into the most column names any kind of this tool knows."""
    known = list(_known_headers(tool))
    # the first line found, not split off: a split copies the rest of the text
    end = text.find("\n")
    return detect_delimiter(text if end < 0 else text[:end], known, candidates=(",", ";", "\t"))


def _csv_table(text: str, encoding: str, delimiter: str) -> TableExport:
    """Every record of the export by the csv module (blank lines skipped; the first record is the header)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    start = 1
    try:
        for values in reader:
            if values and any(v.strip() for v in values):
                if header is None:
                    header = values
                else:
                    records.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected("unreadable_file", f"line {start}: the file cannot be split into fields") from exc
    if header is None:
        raise FileRejected("empty_file", "the file is empty (no header, no rows)")
    return _split_malformed(TableExport(encoding, delimiter, header, records))


def _csv_export(text: str, encoding: str, tool: str) -> TableExport:
    """The export's header now; its records later (staging.py lets DuckDB's reader take a UTF-8 file where that
    gives the same records). A file whose first line is not its header is read whole now."""
    delimiter = _tool_delimiter(text, tool)
    if encoding in ("utf-8", "utf-8-sig"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        try:
            header = next(reader, [])
        except csv.Error:
            header = []
        if reader.line_num == 1 and any(v.strip() for v in header):
            return TableExport(
                encoding, delimiter, header, [], read_later=lambda: _csv_table(text, encoding, delimiter)
            )
    return _csv_table(text, encoding, delimiter)


def _split_malformed(export: TableExport) -> TableExport:
    width = len(export.header)
    good, bad = [], []
    for line, values in export.records:
        # trailing empty fields beyond the header are harmless (a section line written as `Host Details,`)
        while len(values) > width and not values[-1].strip():
            values = values[:-1]
        if len(values) == width:
            good.append((line, values))
        else:
            bad.append((line, field_count_message(width, export.delimiter, len(values)), values))
    export.records, export.malformed = good, export.malformed + bad
    return export


def read_tool_file(tool: str, path: Path, raw: bytes) -> ToolFile:
    """Recognise the kind of a tool export from its header; its columns are its fields by header plus the
    derived ones (`derived_sql`), staged by the loader."""
    if tool == "zoom":
        return _read_zoom(raw)
    if is_workbook(raw):
        sheets = tuple(s for k in kinds_of(tool) for s in k.sheets)
        export = _split_malformed(read_workbook(raw, sheets))
    else:
        text, encoding = decode(raw)
        export = _csv_export(text, encoding, tool)
    names = {normalise_header(h) for h in export.header}
    for kind in kinds_of(tool):
        language = kind.matches(names)
        if language:
            export.derived = derived_sql(kind, language, path, export.header)
            if kind.tool == "pretix":
                export.name_values = (_slug_from_name(path),)
            return ToolFile(kind, language, export.select(kind.source(language).headers))
    raise FileRejected("unknown_kind", f"the header matches no {tool} export; {expected_kinds(tool)}")


def _slug_from_name(path: Path) -> str:
    """The event's slug as pretix writes it into the names of its exports (`<slug>_checkinlog_...`); of a name
    pretix did not give, the part before such a word, or the whole name. Stripped, as the slug column's value is:
    the same in the registration keys, the stored event_ref and the quarantine messages that must not quote it."""
    return re.split(r"_(?:orders|checkinlog|checkin)(?:_|$)", path.stem, maxsplit=1)[0].strip()


def derived_sql(kind: ToolKind, language: str, path: Path, header: list[str]) -> dict[str, str]:
    """The columns a kind derives from other fields of its export, as SQL over the staged fields c0, c1, ...
    (one home for both ways of reading a file, staging.py)."""

    def field_at(en: str, de: str = "") -> int | None:
        name = de if language == "de" and de else en
        return header_positions(header, [name])[name]

    def value(en: str, de: str = "") -> str:
        at = field_at(en, de)
        return "''" if at is None else f"coalesce(c{at}, '')"

    def stripped(en: str, de: str = "") -> str:
        return sql_strip(value(en, de))

    def joined(*parts: str) -> str:  # the non-empty parts, separated by a space
        return "concat_ws(' ', " + ", ".join(f"nullif({p}, '')" for p in parts) + ")"

    derived: dict[str, str] = {}
    if kind.tool == "pretix":
        # the slug column where the export has one, else the event's slug from the file name pretix gives it
        from_name = _slug_from_name(path)
        slug = stripped("Event slug", "Kurzname der Veranstaltung")
        derived["event_ref"] = f"coalesce(nullif({slug}, ''), {sql_literal(from_name)})"
    if kind is PRETIX_ORDER_POSITIONS:
        # the attendee's address, else the order's
        attendee = stripped("Attendee email", "E-Mail Teilnehmer*in")
        derived["email"] = f"coalesce(nullif({attendee}, ''), {value('Email', 'E-Mail')})"
        derived["ordered_at"] = joined(
            stripped("Order date", "Bestelldatum"), stripped("Order time", "Bestelluhrzeit")
        )
    if kind in (PRETIX_ORDER_POSITIONS, PRETIX_CHECKIN_LOG):
        order, position = stripped("Order code", "Bestellnummer"), stripped("Position ID", "Position")
        derived["registration_key"] = f"concat_ws('|', {derived['event_ref']}, {order}, {position})"
    if kind is PRETIX_CHECKIN_LOG:
        derived["scanned_at"] = joined(stripped("Date", "Datum"), stripped("Time", "Zeit"))
    if kind is MAUTIC_EMAIL_STATS:
        # whether the report has the column at all: without it, "not bounced" means "not reported"
        derived["reports_bounces"] = "'1'" if field_at("Bounced") is not None else "'0'"
        derived["reports_unsubscribes"] = "'1'" if field_at("Unsubscribed") is not None else "'0'"
    return derived


def _read_zoom(raw: bytes) -> ToolFile:
    """The multi-section attendee report: title, `Report Generated`, a summary (with `Webinar ID`), then
    sections, each a line with its name and its own header. Read tolerantly (the layout comes from parsers of
    real files, not from Zoom's code): sections are found by name, columns by name, `--` is empty."""
    text, encoding = decode(raw)
    numbered: list[tuple[int, list[str]]] = []  # (physical line the record starts on, trimmed fields)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    start = 1
    for values in reader:
        numbered.append((start, [v.strip() for v in values]))
        start = reader.line_num + 1
    webinar = ""
    section = ""
    section_header: list[str] = []
    kind = ZOOM_WEBINAR_ATTENDEES
    source = kind.source("en")
    wanted = [c.header for c in source.columns]
    records: list[tuple[int, list[str]]] = []
    malformed: list[tuple[int, str, list[str]]] = []
    malformed_columns: dict[int, dict[str, str]] = {}
    seen_attendees = False
    for index, (line, values) in enumerate(numbered):
        cells = list(values)
        while cells and not cells[-1]:  # a section line may carry trailing commas (`Host Details,`)
            cells.pop()
        if not cells:
            continue
        label = normalise_header(cells[0])
        if len(cells) == 1 and label in ZOOM_SECTIONS:
            section = ZOOM_SECTIONS[label]
            seen_attendees |= section == "attendee"
            section_header = []
            continue
        if "webinar id" in {normalise_header(c) for c in cells} and not section:
            position = [normalise_header(c) for c in cells].index("webinar id")
            following = numbered[index + 1][1] if index + 1 < len(numbered) else []
            if position < len(following):
                webinar = re.sub(r"\D", "", following[position])
            continue
        if not section:
            continue
        if not section_header:
            section_header = cells
            continue
        by_name = {normalise_header(h): i for i, h in enumerate(section_header)}
        row = []
        for c in source.columns:
            if c.name == "webinar_ref":
                row.append(webinar)
            elif c.name == "section":
                row.append(section)
            else:
                pos = by_name.get(normalise_header(c.header))
                value = values[pos] if pos is not None and pos < len(values) else ""
                row.append("" if value == "--" else value)
        if len(values) < len(section_header) or any(v for v in values[len(section_header) :]):
            # kept whole as the line has its fields; its columns named by the section's header, not the file's
            malformed.append(
                (
                    line,
                    f"expected {len(section_header)} fields in section {section}, found {len(values)}",
                    values,
                )
            )
            malformed_columns[line] = dict(zip(wanted, row, strict=True))
            continue
        records.append((line, row))
    if not seen_attendees:
        raise FileRejected("unknown_kind", f"the file is no Zoom attendee report; {expected_kinds('zoom')}")
    if not webinar:
        raise FileRejected("missing_webinar_id", "the report's summary has no Webinar ID")
    export = TableExport(encoding, ",", wanted, records, malformed, malformed_columns=malformed_columns)
    return ToolFile(kind, "en", export.select(wanted))

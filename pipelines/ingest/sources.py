"""The landing sources of CONTRACTS.md §3: file names, columns, types and the row rules marked "reject".

One declaration per source; the loader turns it into SQL. Each column also says what it tells about a person
(`Privacy`: not personal, personal, or hashed with what erasure does), and erasure, the values messages and
check results may show, and the publish guard follow from that. Adding a source means adding one `Source`
here, an expectation suite in `expectations/`, and a dbt source + staging model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.ingest.reading import PY_SPACE_RANGES, class_ranges

# Column kinds and how a value of that kind is read. Invalid non-empty values of the kinds in REJECT_INVALID
# send the row to quarantine; the others are kept (as empty) and counted in data quality.
TEXT, DATE, DATETIME, BOOL, INT, DECIMAL, EMAIL, MEMBER_ID, YEAR = (
    "text",
    "date",
    "datetime",
    "bool",
    "int",
    "decimal",
    "email",
    "member_id",
    "year",
)
REJECT_INVALID = {DATE, DATETIME, INT, DECIMAL}
# The kinds whose value is parsed, not only trimmed: parsed once per file, into the staged rows' `t_<column>`
# (rules.checked_select), where the rules and the inserts read it. A text, an address or a member id is its
# trimmed text (an id upper-cased), taken where it is inserted: copied beside its text, it cost a fifth to a
# quarter of writing the staged rows (a members export at scale 10, 190,000 rows: 0.55 s against 0.41 s;
# docs/benchmarks.md, sixteenth pass).
PARSED_KINDS = (DATE, DATETIME, BOOL, INT, YEAR, DECIMAL)

ACTIONS = ("sent", "open", "click", "hard_bounce", "soft_bounce", "unsubscribe", "complaint")


# What a column tells about a person, declared here once for every source (and in tools.py for the tools'
# exports). Erasure (privacy.py), the values a quarantine message or a Great Expectations result may show
# (rules.py, quality.py) and the publish guard (defs/publish.py) all read this declaration.
# NOT_PERSONAL: may be shown in messages and check results, and published.
# PERSONAL: names, free text, user agents: stays in warehouse.duckdb, never shown; erased with its row.
# HASHED: identifies a person: stored with its keyed hash `<name>_hash`, on which erasure matches.
NOT_PERSONAL, PERSONAL, HASHED = "not_personal", "personal", "hashed"

# The identity a keyed hash stands for (meta.erased_identities.kind).
MEMBER, ADDRESS, REGISTRATION = "member", "email", "registration"

# What erasing the person a hashed column names does (Privacy.on_erasure):
# DELETE: the row is the person's: it goes.
# DETACH: the row is someone else's (a club's report): the column, its hash and `clears` are emptied.
# TOMBSTONE: when the row goes, its hash becomes an erased identity too, so rows that refer to it go as well.
# REQUEST: an erasure request: only the keyed hash is stored, and it becomes the tombstone.
DELETE, DETACH, TOMBSTONE, REQUEST = "delete", "detach", "tombstone", "request"


@dataclass(frozen=True)
class Privacy:
    level: str = NOT_PERSONAL
    identity: str = ""  # HASHED: what the keyed hash names (MEMBER, ADDRESS, REGISTRATION)
    on_erasure: str = ""  # HASHED: DELETE, DETACH, TOMBSTONE or REQUEST
    clears: tuple[str, ...] = ()  # DETACH: further columns of the row emptied with it (free text naming them)

    def __post_init__(self) -> None:
        hashed = self.level == HASHED
        if hashed != bool(self.identity) or hashed != bool(self.on_erasure):
            raise ValueError("a hashed column names its identity and what erasure does; no other column does")
        if self.on_erasure not in ("", DELETE, DETACH, TOMBSTONE, REQUEST):
            raise ValueError(f"unknown erasure action {self.on_erasure!r}")
        if self.clears and self.on_erasure != DETACH:
            raise ValueError("only a detached column clears further columns")


NOT_PERSONAL_VALUES = Privacy()
PERSONAL_VALUES = Privacy(PERSONAL)


# A column declared not personal holds codes, dates, amounts; but a value that breaks its rule is what someone
# typed there, which may be anything ("50 Euro bar von <a name>" as an amount, a speaker's name as a role). Such
# a value is quoted in a message or a check's examples only where it looks like what the column holds: one word
# of at most 32 characters, no address, with a digit or a slash in it, or else of lower-case Latin letters only
# (a date, an amount, an id, `Gasthörer/in`, `morgen`); free text, an address, a capitalised word (a name) and a
# word in another script never are. The same test in SQL (quarantine messages) and Python (a check's examples):
# white space is every character Python's `str.isspace` takes (DuckDB's `\s` takes the ASCII ones only).
_LOWER = ((0x61, 0x7A), (0xDF, 0xF6), (0xF8, 0xFF))  # a-z, ß-ö, ø-ÿ


def _quotable_patterns(sql: bool) -> tuple[str, str]:
    return (
        f"[^@{class_ranges(PY_SPACE_RANGES, sql)}]{{1,32}}",
        f"[{class_ranges(_LOWER, sql)}.,:;'_+-]+",
    )


QUOTABLE_WORD, QUOTABLE_LOWER = _quotable_patterns(sql=False)
_SQL_WORD, _SQL_LOWER = _quotable_patterns(sql=True)


def quotable_sql(value: str) -> str:
    """SQL: whether the text `value` (an SQL expression) may be quoted, as `quotable` says."""
    lower = _SQL_LOWER.replace("'", "''")
    return (
        f"(regexp_full_match({value}, '{_SQL_WORD}') and "
        f"(regexp_matches({value}, '[0-9/]') or regexp_full_match({value}, '{lower}')))"
    )


def quotable(value: object) -> bool:
    """Whether a value that broke a rule may be quoted (see QUOTABLE_WORD): a number or yes/no as such, a text
    only if it looks like one."""
    if isinstance(value, bool | int | float):
        return True
    if not isinstance(value, str) or re.fullmatch(QUOTABLE_WORD, value) is None:
        return False
    return re.search(r"[0-9/]", value) is not None or re.fullmatch(QUOTABLE_LOWER, value) is not None


def hashed(identity: str, on_erasure: str = DELETE, clears: tuple[str, ...] = ()) -> Privacy:
    return Privacy(HASHED, identity, on_erasure, clears)


@dataclass(frozen=True)
class Column:
    header: str  # as in the contract
    name: str  # column in raw.<source>
    kind: str = TEXT
    required: bool = False
    privacy: Privacy = NOT_PERSONAL_VALUES
    allowed: tuple[str, ...] = ()  # reject values outside this list (case-insensitive)
    formats: tuple[str, ...] = ()  # strptime formats of a DATE/DATETIME column, where not the contract's
    # a value that cannot be read, or cannot be right, is kept empty and counted (`kept_with_issue`) instead of
    # quarantining the row: for a column whose row must load whatever it holds (an erasure request's date)
    lenient: bool = False

    @property
    def personal(self) -> bool:
        """Personal or hashed: the value is never published and never shown in a message or check result."""
        return self.privacy.level != NOT_PERSONAL

    @property
    def hashed(self) -> bool:
        return self.privacy.level == HASHED

    @property
    def stored(self) -> bool:
        """Whether raw.<source> keeps the value itself (an erasure request keeps only its keyed hash)."""
        return self.privacy.on_erasure != REQUEST


@dataclass(frozen=True)
class Reference:
    column: str  # raw column name in this source
    source: str  # the referenced source
    target: str  # its key column
    reason: str  # quarantine reason code
    also: tuple[str, ...] = ()  # further columns of the referenced source that may hold the value

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target, *self.also)


@dataclass(frozen=True)
class Rule:
    """A row rule beyond the column kinds: `condition` (SQL over the staged text values `v_<column>` of the row)
    true means the row is quarantined with `reason` for `column` (a header)."""

    condition: str
    reason: str
    column: str


@dataclass(frozen=True)
class Source:
    name: str  # raw table and Dagster asset key ["raw", name]
    folder: str
    prefix: str
    columns: tuple[Column, ...]
    key: str | None = None  # unique within a file
    references: tuple[Reference, ...] = ()
    identity: tuple[str, ...] = ()  # at least one of these must be given ("missing_identity" otherwise)
    # and, where set, one of them must name someone by its keyed hash: an address that is not one, given
    # without a member id, is "unusable_identity" (an erasure request that names no one is not carried out)
    identity_hashed: bool = False
    # the members' snapshots: their rows say which addresses a member holds. An address-only erasure request
    # names the members whose snapshots hold it, and an address another member holds stays (CONTRACTS.md); a
    # registration or a donation that names one member with another's address (a gift, an assistant's mailbox)
    # holds nothing
    holds_addresses: bool = False
    description: str = ""
    upstream: tuple[str, ...] = field(default=())  # sources that must be ingested first (references)
    rules: tuple[Rule, ...] = ()  # further reject rules, checked after the column rules
    # SQL run after the file's rows are in raw (parameter $sha: the file's hash), before the erasure sweep
    post_load: tuple[str, ...] = ()
    tool: str = "canonical"  # which tool writes such files (TOOLS.md), and the ledger's `kind`/`language`
    kind: str = ""
    language: str = "de"

    @property
    def ledger_kind(self) -> str:
        return self.kind or self.name

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(self.prefix)}_(\d{{4}}-\d{{2}}-\d{{2}})\.(csv|xlsx)$", re.IGNORECASE)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def hashed_columns(self) -> list[Column]:
        """Columns stored with a keyed hash `<name>_hash` (and matched by erasure)."""
        return [c for c in self.columns if c.hashed]

    @property
    def stored_columns(self) -> list[Column]:
        return [c for c in self.columns if c.stored]

    @property
    def keeps_raw_records(self) -> bool:
        """Whether a malformed record's raw text may be kept in quarantine (not where only hashes are kept)."""
        return all(c.stored for c in self.columns)

    @property
    def withheld_columns(self) -> set[str]:
        """Columns of raw.<source> and quarantine.<source> whose values are never shown: the personal and
        hashed columns and their keyed hashes."""
        return {c.name for c in self.columns if c.personal} | {f"{c.name}_hash" for c in self.hashed_columns}


MEMBERS = Source(
    name="members",
    folder="members",
    prefix="members",
    key="member_id",
    description="Full snapshots of the alumni portal's register; one file per export date.",
    holds_addresses=True,
    columns=(
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, required=True, privacy=hashed(MEMBER)),
        Column("Anrede", "salutation", privacy=PERSONAL_VALUES),
        Column("Titel", "title", privacy=PERSONAL_VALUES),
        Column("Vorname", "first_name", privacy=PERSONAL_VALUES),
        Column("Nachname", "last_name", privacy=PERSONAL_VALUES),
        Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS)),
        Column("Statusgruppe", "status_group"),
        Column("Fakultät", "faculty"),
        Column("Studiengang", "programme"),
        Column("Abschluss", "degree"),
        Column("Abschlussjahr", "graduation_year", YEAR),
        Column("Land", "country"),
        Column("Ort", "city"),
        Column("Registriert am", "registered_on", DATE, required=True),
        Column("Newsletter", "newsletter_consent", BOOL),
        Column("Tracking", "tracking_consent", BOOL),
        Column("Kontaktfreigabe", "contact_consent", BOOL),
        Column("Club", "club_id"),
        Column("Status", "status", allowed=("aktiv", "abgemeldet", "")),
        Column("Abgemeldet am", "left_on", DATE),
    ),
)
NEWSLETTER_CAMPAIGNS = Source(
    name="newsletter_campaigns",
    folder="newsletter",
    prefix="campaigns",
    key="campaign_id",
    description="Newsletter campaigns as exported by the mailing tool.",
    columns=(
        Column("Kampagnen-ID", "campaign_id", required=True),
        Column("Betreff", "subject"),
        Column("Thema", "topic"),
        Column("Versendet am", "sent_at", DATETIME, required=True),
        Column("Sprache", "language"),
        # TOOLS.md §2: the tool's own id of the campaign, and the count the tool reports as sent
        Column("Externe ID", "external_id"),
        Column("Empfänger", "recipients_reported", INT),
    ),
)
NEWSLETTER_ACTIVITY = Source(
    name="newsletter_activity",
    folder="newsletter",
    prefix="activity",
    description="One row per recipient event of a campaign (sent, open, click, bounce, unsubscribe, complaint).",
    columns=(
        Column("Kampagnen-ID", "campaign_id", required=True),
        Column("E-Mail", "email", EMAIL, required=True, privacy=hashed(ADDRESS)),
        Column("Aktion", "action", required=True, allowed=ACTIONS),
        Column("Zeitpunkt", "occurred_at", DATETIME, required=True),
        Column("Link", "link"),
        Column("User-Agent", "user_agent", privacy=PERSONAL_VALUES),
        Column("Maschinell", "machine_flag", BOOL),
    ),
    references=(Reference("campaign_id", "newsletter_campaigns", "campaign_id", "unknown_campaign"),),
    upstream=("newsletter_campaigns",),
)
EVENTS = Source(
    name="events",
    folder="events",
    prefix="events",
    key="event_id",
    description="Events offered to alumni: central meetings, lecture series, club meetings, further education.",
    columns=(
        Column("Veranstaltungs-ID", "event_id", required=True),
        Column("Titel", "title"),
        Column("Typ", "event_type"),
        Column("Beginn", "starts_at", DATETIME, required=True),
        Column("Ort", "city"),
        Column("Land", "country"),
        Column("Format", "format"),
        Column("Veranstalter", "organiser"),
        Column("Club", "club_id"),
        Column("Fakultät", "faculty"),
        Column("Externe ID", "external_id"),  # TOOLS.md §2: the tool's id of the event (pretix slug, Zoom id)
    ),
)
ATTENDANCE = Source(
    name="attendance",
    folder="events",
    prefix="attendance",
    key="registration_id",
    description="Registrations for events, with cancellation, check-in and role.",
    columns=(
        Column("Anmelde-ID", "registration_id", required=True),
        Column("Veranstaltungs-ID", "event_id", required=True),
        Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS)),
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, privacy=hashed(MEMBER)),
        Column("Angemeldet am", "registered_on", DATE),
        Column("Status", "status", allowed=("angemeldet", "storniert", "")),
        Column("Eingecheckt am", "checked_in_at", DATETIME),
        Column("Rolle", "role"),
    ),
    references=(Reference("event_id", "events", "event_id", "unknown_event"),),
    identity=("member_id", "email"),
    upstream=("events",),
)
CLUBS = Source(
    name="clubs",
    folder="clubs",
    prefix="clubs",
    key="club_id",
    description="Snapshots of the alumni clubs and their regional ambassadors.",
    columns=(
        Column("Club-ID", "club_id", required=True),
        Column("Name", "club_name"),
        Column("Ort", "city"),
        Column("Land", "country"),
        Column("Gegründet am", "founded_on", DATE),
        Column("Botschafter/in", "ambassador_id", MEMBER_ID, privacy=hashed(MEMBER, DETACH)),
        Column("Status", "status"),
        # optional; decimal degrees with a point or a comma, checked and cast in dbt (stg_clubs__club_snapshots)
        Column("Breitengrad", "latitude"),
        Column("Längengrad", "longitude"),
    ),
)
CLUB_ACTIVITIES = Source(
    name="club_activities",
    folder="clubs",
    prefix="activities",
    key="report_id",
    description="Activity reports filed by regional ambassadors.",
    columns=(
        Column("Bericht-ID", "report_id", required=True),
        Column("Club-ID", "club_id", required=True),
        Column("Datum", "activity_on", DATE, required=True),
        Column("Aktivität", "activity"),
        Column("Anzahl", "quantity", INT),
        Column("Teilnehmende", "participants", INT),
        # a report is the club's: erasing its author keeps the report, without the author and the note
        Column("Gemeldet von", "reported_by_id", MEMBER_ID, privacy=hashed(MEMBER, DETACH, clears=("note",))),
        Column("Notiz", "note", privacy=PERSONAL_VALUES),
    ),
    references=(Reference("club_id", "clubs", "club_id", "unknown_club"),),
    upstream=("clubs",),
)
DONATIONS = Source(
    name="donations",
    folder="donations",
    prefix="donations",
    key="donation_id",
    description="Donations (optional source).",
    columns=(
        Column("Spenden-ID", "donation_id", required=True),
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, privacy=hashed(MEMBER)),
        Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS)),
        Column("Datum", "donated_on", DATE),
        Column("Betrag", "amount_eur", DECIMAL, required=True),
        Column("Zweck", "purpose"),
    ),
)
ERASURE_REQUESTS = Source(
    name="erasure_requests",
    folder="erasure",
    prefix="erasure",
    description="Erasure requests; stored only as keyed hashes and the date.",
    columns=(
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, privacy=hashed(MEMBER, REQUEST)),
        Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS, REQUEST)),
        # a request is honoured whatever its date says (`15/01/2024`, `15.01.24`): the date is only its record
        Column("Eingegangen am", "requested_on", DATE, lenient=True),
    ),
    identity=("member_id", "email"),
    identity_hashed=True,
)

SOURCES: tuple[Source, ...] = (
    ERASURE_REQUESTS,
    MEMBERS,
    NEWSLETTER_CAMPAIGNS,
    NEWSLETTER_ACTIVITY,
    EVENTS,
    ATTENDANCE,
    CLUBS,
    CLUB_ACTIVITIES,
    DONATIONS,
)
BY_NAME = {s.name: s for s in SOURCES}

# Human words for the reason codes, shown in the run's output and on the Datenqualität page.
REASONS = {
    "malformed_row": "the line does not split into the header's number of fields",
    "missing_required": "a required value is empty",
    "duplicate_id": "the id occurs earlier in the same file",
    "invalid_date": "not a date (expected DD.MM.YYYY or YYYY-MM-DD)",
    "invalid_datetime": "not a date and time (expected DD.MM.YYYY HH:MM[:SS] or ISO 8601)",
    "invalid_number": "not a whole number",
    "invalid_decimal": "not an amount (expected e.g. 25,00 or 1.250,00 or 25.00)",
    "non_positive_amount": "the amount must be above 0",
    "invalid_value": "not one of the allowed values",
    "unknown_campaign": "no campaign with this Kampagnen-ID has been loaded",
    "unknown_event": "no event with this Veranstaltungs-ID has been loaded",
    "unknown_club": "no club with this Club-ID has been loaded",
    "missing_identity": "neither Mitgliedsnummer nor E-Mail is given",
    "unusable_identity": "no Mitgliedsnummer, and the E-Mail is not an address (a bare name@domain is expected)",
    "missing_email": "the row has no e-mail address, so it cannot be a person's registration or event",
    "invalid_email": "the e-mail address is not an address (name@domain expected), so the row is no one's",
    "unknown_registration": "no registration of this event has this order code and position (or product and name)",
    "ambiguous_registration": "several registrations of this order match the row's product and attendee name",
    "nul_byte": "the record contains a NUL byte (binary data inside a text export)",
    "unbalanced_quote": "a quote is not closed where its line ends: several lines were read as one record",
    "implausible_date": "a date before 1900-01-01 or more than two years in the future cannot be right",
}

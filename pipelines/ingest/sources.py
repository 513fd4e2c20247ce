"""The landing sources of CONTRACTS.md §3: file names, columns, types and the row rules marked "reject".

One declaration per source; the loader turns it into SQL. Adding a source means adding one `Source` here, an
expectation suite in `expectations/`, and a dbt source + staging model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

ACTIONS = ("sent", "open", "click", "hard_bounce", "soft_bounce", "unsubscribe", "complaint")


@dataclass(frozen=True)
class Column:
    header: str  # as in the contract
    name: str  # column in raw.<source>
    kind: str = TEXT
    required: bool = False
    personal: bool = (
        False  # names, addresses, ids, free text: never in analytics, never in published messages
    )
    allowed: tuple[str, ...] = ()  # reject values outside this list (case-insensitive)
    formats: tuple[str, ...] = ()  # strptime formats of a DATE/DATETIME column, where not the contract's


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
        required = [c.header for c in self.columns if c.required]
        # an identity rule needs at least one of its columns in the header
        return required

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


MEMBERS = Source(
    name="members",
    folder="members",
    prefix="members",
    key="member_id",
    description="Full snapshots of the alumni portal's register; one file per export date.",
    columns=(
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, required=True, personal=True),
        Column("Anrede", "salutation", personal=True),
        Column("Titel", "title", personal=True),
        Column("Vorname", "first_name", personal=True),
        Column("Nachname", "last_name", personal=True),
        Column("E-Mail", "email", EMAIL, personal=True),
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
        Column("E-Mail", "email", EMAIL, required=True, personal=True),
        Column("Aktion", "action", required=True, allowed=ACTIONS),
        Column("Zeitpunkt", "occurred_at", DATETIME, required=True),
        Column("Link", "link"),
        Column("User-Agent", "user_agent", personal=True),
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
        Column("E-Mail", "email", EMAIL, personal=True),
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, personal=True),
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
        Column("Botschafter/in", "ambassador_id", MEMBER_ID, personal=True),
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
        Column("Gemeldet von", "reported_by_id", MEMBER_ID, personal=True),
        Column("Notiz", "note", personal=True),
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
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, personal=True),
        Column("E-Mail", "email", EMAIL, personal=True),
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
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, personal=True),
        Column("E-Mail", "email", EMAIL, personal=True),
        Column("Eingegangen am", "requested_on", DATE),
    ),
    identity=("member_id", "email"),
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
    "missing_email": "the row has no e-mail address, so it cannot be a person's registration or event",
    "unknown_registration": "no registration of this event has this order code and position (or product and name)",
    "ambiguous_registration": "several registrations of this order match the row's product and attendee name",
    "nul_byte": "the record contains a NUL byte (binary data inside a text export)",
    "unbalanced_quote": "a quote is not closed where its line ends: several lines were read as one record",
    "implausible_date": "a date before 1900-01-01 or more than two years in the future cannot be right",
}

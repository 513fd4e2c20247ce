"""The row rules as SQL, built from the declarations of sources.py and tools.py: pure functions from a `Source`
to SQL text, with no connection (tests/ingest/test_rules.py checks the text itself).

The statements run in this order on one file's records (staging.py): `incoming` (v_<column> text, _line) ->
`checked` (parsed values t_<column>, the first broken rule `_failure` as 'reason|header', hash keys k_<column>)
-> `hashes_<column>` (keyed hash per distinct key) -> `ready` -> raw.<source> (good rows) and
quarantine.<source> (the others, with a message that shows a value only where its column is not personal).
"""

from __future__ import annotations

import re

from pipelines.ingest.guards import plausible_sql
from pipelines.ingest.reading import sql_literal, sql_strip
from pipelines.ingest.schema import META_COLUMNS
from pipelines.ingest.sources import (
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    EMAIL,
    INT,
    MEMBER_ID,
    PARSED_KINDS,
    REASONS,
    REJECT_INVALID,
    YEAR,
    Column,
    Source,
    quotable_sql,
)

TRUE_WORDS = ("ja", "yes", "true", "1", "j", "y", "wahr", "x")
FALSE_WORDS = ("nein", "no", "false", "0", "n", "falsch", "")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")
NAIVE_DATETIME_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    # an ISO date alone is midnight (ISO 8601 allows it): a workbook's date-time cell at midnight reads as a date
    # (python-calamine gives a `date` for it), and was quarantined for a value its file does not hold
    "%Y-%m-%d",
]


def staged(c: Column, value: str = "") -> str:
    """The trimmed text of a column as staged (`v_<name>` of `incoming`), or of the SQL expression `value`;
    a member id's or an address's stripped as Python strips it (`stripped`)."""
    value = value or f"v_{c.name}"
    return stripped(value) if c.kind in (MEMBER_ID, EMAIL) else f"trim({value})"


# The white space that DuckDB's trim() leaves and Python's str.strip() takes: the control characters among it
# (a tab, a line break, ...; the class takes every one from the tab on, the others only cost the full strip,
# which leaves them) and the Unicode line and paragraph separators.
UNTRIMMED_SPACE = r"[\t-\x{1f}\x{85}\x{2028}\x{2029}]"


def stripped(value: str) -> str:
    """SQL: Python's `strip()` of a text (as `privacy.normalise_member_id` strips an id). A member id or an
    address copied into a workbook cell may end in a tab or a line break: trimmed by DuckDB's trim() alone, it
    kept them, and its keyed hash matched no one (an erasure request for it erased nobody, an address was
    invalid). The full strip (a regular expression, `reading.sql_strip`) only where the text holds such a
    character at all, which one more regular expression finds: the newsletter's `checked` statement 0.11 s
    instead of 0.10 s a file (scale 1). Asked of the first and last character's code points, the test cost twice
    that; as an IN list, which DuckDB plans as a join, the statement took twice as long (docs/benchmarks.md,
    forty-fourth pass)."""
    return f"case when regexp_matches({value}, '{UNTRIMMED_SPACE}') then {sql_strip(value)} else trim({value}) end"


def typed_expr(c: Column, value: str = "") -> str:
    """The column's value in its kind's type (null where it cannot be read, or is empty); of the text `value`
    (an SQL expression) instead of the column's staged text where given."""
    s = staged(c, value)
    parsed = _parsed_expr(c, s)
    if c.kind in (DATE, DATETIME, INT, YEAR, DECIMAL):
        # An empty value is null without being parsed (it was null before too): DuckDB's try_strptime and try_cast
        # take the slow way of a failed conversion for it (200,000 values, 90 % of them empty: 0.94 s as DATETIME,
        # 0.25 s as DATE; 0.02-0.04 s guarded), and optional dates are often empty: a member's `Abgemeldet am`,
        # half of Mautic's `Date read`.
        return f"case when {s} <> '' then {parsed} end"
    return parsed


def typed(c: Column) -> str:
    """The column's typed value in a row of `checked` (or `ready`): its parsed column, or the expression."""
    return f"t_{c.name}" if c.kind in PARSED_KINDS else typed_expr(c)


def value_columns(c: Column) -> list[str]:
    """The columns of `checked` that hold the column's value: its parsed value where it has one, its text."""
    return [f"t_{c.name}", f"v_{c.name}"] if c.kind in PARSED_KINDS else [f"v_{c.name}"]


# Separators that a format's text must find in the value: DuckDB's strptime matches each of them only with the
# same character (letters and spaces are left out: a space in a format matches any run of white space).
SEPARATORS = ".,/-:"


def strptime_any(s: str, formats: tuple[str, ...] | list[str]) -> str:
    """`try_strptime(s, [formats])`, the first format that reads the value, without trying the formats that
    cannot: one whose separators are not all in the value. A failed format costs about 0.7 µs a value, the
    reading itself 0.1 µs; an ISO time (`2019-01-05T10:45:00`, no dot) was tried against both German formats
    first, an ISO date against `%d.%m.%Y` (scale 10, a year's newsletter activity of 770,000 rows: 0.61 s,
    0.08 s without them). The separators present are asked one after the other (a tree of `contains`); each
    leaf is `try_strptime` over the formats left, in their order, or null where none is."""
    needs = [frozenset(ch for ch in re.sub("%.", "", f) if ch in SEPARATORS) for f in formats]
    asked = [ch for ch in SEPARATORS if any(ch in n for n in needs)]

    def tree(chars: list[str], present: frozenset[str]) -> str:
        if not chars:
            left = ", ".join(f"'{f}'" for f, n in zip(formats, needs, strict=True) if n <= present)
            return f"try_strptime({s}, [{left}])" if left else "cast(null as timestamp)"
        yes, no = tree(chars[1:], present | {chars[0]}), tree(chars[1:], present)
        return yes if yes == no else f"case when contains({s}, '{chars[0]}') then {yes} else {no} end"

    return tree(asked, frozenset())


def _parsed_expr(c: Column, s: str) -> str:
    if c.kind == DATE:
        return f"{strptime_any(s, c.formats or DATE_FORMATS)}::date"
    if c.kind == DATETIME:
        # With an offset (or Z) the instant is exact; without one it is Europe/Berlin wall time.
        return (
            f"case when regexp_matches({s}, '([+-]\\d{{2}}:?\\d{{2}}|Z)$') "
            f"then timezone('UTC', try_cast({s} as timestamptz)) "
            f"else timezone('UTC', timezone('Europe/Berlin', {strptime_any(s, c.formats or NAIVE_DATETIME_FORMATS)})) end"
        )
    if c.kind == BOOL:
        true_list = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        false_list = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        return f"case when lower({s}) in ({true_list}) then true when lower({s}) in ({false_list}) then false end"
    if c.kind == INT:
        return f"try_cast({s} as integer)"
    if c.kind == YEAR:
        return (
            f"case when try_cast({s} as integer) between 1836 and year(current_date) + 1 "
            f"then try_cast({s} as integer) end"
        )
    if c.kind == DECIMAL:
        t = f"replace(replace({s}, ' ', ''), '€', '')"
        return (
            f"case when contains({t}, ',') then try_cast(replace(replace({t}, '.', ''), ',', '.') as decimal(14, 2)) "
            f"when regexp_matches({t}, '^-?\\d{{1,3}}(\\.\\d{{3}})+$') then try_cast(replace({t}, '.', '') as decimal(14, 2)) "
            f"else try_cast({t} as decimal(14, 2)) end"
        )
    if c.kind == MEMBER_ID:
        return f"nullif(upper({s}), '')"
    return f"nullif({s}, '')"


def email_norm(c: Column, value: str = "") -> str:
    return f"lower(nfc_normalize({staged(c, value)}))"


def email_valid(c: Column, value: str = "") -> str:
    return f"regexp_full_match({email_norm(c, value)}, '[^@\\s]+@[^@\\s]+\\.[^@\\s.]+')"


def valid_in_checked(c: Column) -> str:
    """Whether a row's address in `checked` is valid. A hashed address has its key `k_<column>` there, which
    is null exactly where the address is not valid (staged values are never null: an empty field is '', which
    normalises to '' and does not match): reading the key spares matching every address again (about 0.25 s
    per million addresses each time; the count of kept rows and raw's `<column>_valid` did it once more each)."""
    return f"k_{c.name} is not null" if c.hashed else email_valid(c)


def key_expr(c: Column) -> str:
    """A file's key as rows are told apart by it: a member id as it is hashed, upper-cased (`a-1` and `A-1` are one
    member, and the second is a `duplicate_id`, not a second row that fails the file's unique expectation)."""
    return f"upper({staged(c)})" if c.kind == MEMBER_ID else staged(c)


def hash_key(c: Column, value: str = "") -> str:
    """What the keyed hash is taken of: the normalised address (valid ones only), the upper-cased id."""
    if c.kind == EMAIL:
        return f"case when {email_valid(c, value)} then {email_norm(c, value)} end"
    return f"case when {staged(c, value)} <> '' then upper({staged(c, value)}) end"


def failure_expr(source: Source) -> str:
    """The first broken rule of a row, as 'reason|column', or null for a good row."""
    whens = []
    for c in source.columns:
        if c.required:
            whens.append(f"when {staged(c)} = '' then 'missing_required|{c.header}'")
    if source.identity:
        cond = " and ".join(f"{staged(source.column(n))} = ''" for n in source.identity)
        first = source.column(source.identity[0]).header
        whens.append(f"when {cond} then 'missing_identity|{first}'")
        if source.identity_hashed:
            columns = [source.column(n) for n in source.identity]
            # an address with what a bare one never holds (`<erika@x.de>`, `mailto:erika@x.de`) names no one either
            bare = "regexp_matches({}, '[<>()\\[\\]:;,\"]')"
            unusable = " and ".join(
                f"({hash_key(c)} is null or {bare.format(email_norm(c))})"
                if c.kind == EMAIL
                else f"{hash_key(c)} is null"
                for c in columns
            )
            address = next(c for c in columns if c.kind == EMAIL).header
            whens.append(f"when {unusable} then 'unusable_identity|{address}'")
    for c in source.columns:
        if c.lenient:
            continue
        if c.kind in REJECT_INVALID:
            reason = {
                DATE: "invalid_date",
                DATETIME: "invalid_datetime",
                INT: "invalid_number",
                DECIMAL: "invalid_decimal",
            }[c.kind]
            whens.append(f"when {staged(c)} <> '' and t_{c.name} is null then '{reason}|{c.header}'")
        if c.kind in (DATE, DATETIME):
            whens.append(f"when not {plausible_sql(f't_{c.name}')} then 'implausible_date|{c.header}'")
        if c.allowed:
            allowed = ", ".join(f"'{v.lower()}'" for v in c.allowed)
            whens.append(f"when lower({staged(c)}) not in ({allowed}) then 'invalid_value|{c.header}'")
        if c.kind == DECIMAL and c.name == "amount_eur":
            whens.append(f"when t_{c.name} <= 0 then 'non_positive_amount|{c.header}'")
    for ref in source.references:
        c = source.column(ref.column)
        known = " union all ".join(
            f"select {t} from raw.{ref.source} where {t} is not null" for t in ref.targets
        )
        whens.append(f"when {staged(c)} not in ({known}) then '{ref.reason}|{c.header}'")
    if source.key:
        c = source.column(source.key)
        whens.append(f"when _key_seq > 1 then 'duplicate_id|{c.header}'")
    for rule in source.rules:
        whens.append(f"when {rule.condition} then '{rule.reason}|{rule.column}'")
    return "case " + " ".join(whens) + " end" if whens else "null"


# --------------------------------------------------------------------------------------------- statements


def checked_select(source: Source, repeated_keys: bool = True) -> str:
    """`incoming` -> parsed values, then the row rules over them, in one statement (one table written, not two).

    `repeated_keys=False`: the file is known to hold each key once (`repeated_keys_select`), so no row is a
    duplicate and the window that numbers a key's rows is left out (a tenth to a fifth of the statement).

    A date and time is read once per distinct text and joined back (`times_<column>`): its reading (the formats
    tried, then Berlin wall time to UTC) costs about 0.15 µs a row, and an export repeats its times: a Mautic
    report's `Date sent` has a few hundred texts in 800,000 rows, a year's newsletter activity about 210,000 in
    1.2 million. At scale 10, per file, 0.19 s row by row and 0.01 s so for `Date sent`, 0.10 and 0.05 s for
    `Date read`, 0.19 and 0.10 s for `Zeitpunkt`; the statement for every newsletter, Mautic and listmonk export
    9.3 s, now 7.7 s (docs/benchmarks.md, thirty-sixth pass). A date alone is read row by row: it costs about as
    little as the join. The join may hand on the rows in another order: nothing reads `checked` by its order
    (`_line` says where each record is)."""
    times = [c for c in source.columns if c.kind == DATETIME]
    parsed = "".join(
        f", {_kept_if_plausible(c, f'times_{c.name}.t' if c in times else typed_expr(c))} as t_{c.name}"
        for c in source.columns
        if c.kind in PARSED_KINDS
    )
    key_seq = "1 as _key_seq"
    if source.key and repeated_keys:
        key_seq = f"row_number() over (partition by {key_expr(source.column(source.key))} order by _line) as _key_seq"
    keys = "".join(f", {hash_key(c)} as k_{c.name}" for c in source.hashed_columns)
    lookups = ", ".join(
        f"times_{c.name} as (select v, {typed_expr(c, 'v')} as t from (select distinct v_{c.name} as v from incoming))"
        for c in times
    )
    joins = "".join(
        f" left join times_{c.name} on incoming.v_{c.name} is not distinct from times_{c.name}.v"
        for c in times
    )
    return (
        f"{f'with {lookups} ' if times else ''}select *, {failure_expr(source)} as _failure{keys} "
        f"from (select incoming.*{parsed}, {key_seq} from incoming{joins}) as staged"
    )


def _kept_if_plausible(c: Column, value: str) -> str:
    """A lenient date's value where it can be right, else null (kept empty and counted, the row loads)."""
    if c.lenient and c.kind in (DATE, DATETIME):
        return f"case when {plausible_sql(value)} then {value} end"
    return value


def repeated_keys_select(source: Source) -> str | None:
    """Whether some key of `incoming` is repeated (or empty in more than one row: `count(distinct)` counts ''
    once, so that errs towards numbering); None for a source without a key."""
    if not source.key:
        return None
    return f"select count(*) > count(distinct {key_expr(source.column(source.key))}) from incoming"


def hashes_select(c: Column) -> str:
    """Keyed hashes per distinct value (an address recurs in thousands of rows of an activity export)."""
    return (
        f"select k, alumni_hmac(k) as h "
        f"from (select distinct k_{c.name} as k from checked where k_{c.name} is not null)"
    )


def ready_select(source: Source) -> str:
    """`checked` with the keyed hash of each hashed column (`hash_<column>`)."""
    hashes = source.hashed_columns
    hashed = "".join(f", hashes_{c.name}.h as hash_{c.name}" for c in hashes)
    joins = " ".join(f"left join hashes_{c.name} on checked.k_{c.name} = hashes_{c.name}.k" for c in hashes)
    return f"select checked.*{hashed} from checked {joins}"


def _meta() -> tuple[list[str], list[str]]:
    return [name for name, _, _ in META_COLUMNS], [value for _, _, value in META_COLUMNS]


def raw_insert(source: Source) -> str:
    """The good rows of `ready` into raw.<source>: typed values (an address as written, with its validity),
    keyed hashes, meta columns."""
    columns, values = [], []
    for c in source.stored_columns:
        columns.append(c.name)
        values.append(typed(c))  # parsed, or the trimmed text (an address as written)
        if c.kind == EMAIL:
            columns.append(f"{c.name}_valid")
            values.append(valid_in_checked(c))
    for c in source.hashed_columns:
        columns.append(f"{c.name}_hash")
        values.append(f"hash_{c.name}")
    meta_columns, meta_values = _meta()
    return (
        f"insert into raw.{source.name} ({', '.join(columns + meta_columns)}) "
        f"select {', '.join(values + meta_values)} from ready where _failure is null"
    )


def quarantine_columns(source: Source) -> list[str]:
    """The columns of quarantine.<source> that a quarantined row fills before the quarantine's own."""
    return (
        [c.name for c in source.stored_columns]
        + [f"{c.name}_hash" for c in source.hashed_columns]
        + _meta()[0]
    )


def quarantine_insert(source: Source) -> str:
    """The rows of `ready` that broke a rule into quarantine.<source>: the text as it was, with the message."""
    values = [f"v_{c.name}" for c in source.stored_columns] + [
        f"hash_{c.name}" for c in source.hashed_columns
    ]
    return (
        f"insert into quarantine.{source.name} ({', '.join(quarantine_columns(source))}, _column, _reason, _message) "
        f"select {', '.join(values + _meta()[1])}, split_part(_failure, '|', 2), split_part(_failure, '|', 1), "
        f"{message_sql(source)} from ready where _failure is not null"
    )


def malformed_insert(source: Source) -> str:
    """One record that does not split into the header's fields (parameters: quarantine_columns, then
    _raw_record, _column, _reason, _message)."""
    columns = quarantine_columns(source)
    return (
        f"insert into quarantine.{source.name} ({', '.join(columns)}, _raw_record, _column, _reason, _message) "
        f"values ({', '.join(['?'] * (len(columns) + 4))})"
    )


def value_hash_sql(c: Column) -> str:
    """The keyed hash of one value (parameter `$v`), as a staged row's column would get it."""
    return f"select alumni_hmac({hash_key(c, '$v')})"


def message_sql(source: Source) -> str:
    """'column '<header>': <reason>', with the value where the column is not declared personal or hashed, and
    the value looks like what such a column holds (`sources.quotable_sql`: not free text typed into it)."""
    value_of = " ".join(
        f"when '{c.header}' then case when {quotable_sql(staged(c))} then {staged(c)} end"
        for c in source.columns
        if not c.personal
    )
    message = "'column ''' || split_part(_failure, '|', 2) || ''': ' || " + reason_text_sql()
    if value_of:
        message += (
            f" || coalesce(' (value ''' || (case split_part(_failure, '|', 2) {value_of} end) || ''')', '')"
        )
    return message


def kept_with_issue_select(source: Source) -> str | None:
    """Values the contract keeps the row for but cannot use: a year out of range, an unreadable yes/no,
    a malformed address. Counted per column (named by its header) over the good rows of `checked`."""
    parts = []
    for c in source.columns:
        if c.kind in (YEAR, BOOL) or c.lenient:
            parts.append(
                f"count(*) filter (where {staged(c)} <> '' and t_{c.name} is null) as \"{c.header}\""
            )
        elif c.kind == EMAIL:
            parts.append(
                f"count(*) filter (where {staged(c)} <> '' and not ({valid_in_checked(c)})) as \"{c.header}\""
            )
    if not parts:
        return None
    return f"select {', '.join(parts)} from checked where _failure is null"


def quarantine_log_insert(source: Source) -> str:
    """One file's quarantined rows (parameter: its sha256) into meta.quarantine_log, with the reason in words."""
    return (
        f"insert into meta.quarantine_log select _run_id, '{source.name}', _source_file, _line, _column, _reason, "
        f"{reason_in_words('_reason')}, _message "
        f"from quarantine.{source.name} where _file_sha256 = ?"
    )


def reason_in_words(code: str) -> str:
    """SQL: the words of the reason code that the expression `code` gives (REASONS), else the code itself."""
    cases = " ".join(f"when {sql_literal(k)} then {sql_literal(v)}" for k, v in REASONS.items())
    return f"(case {code} {cases} else {code} end)"


def reason_text_sql() -> str:
    return reason_in_words("split_part(_failure, '|', 1)")

"""The row rules' SQL in DuckDB itself, where it was written for speed: an empty value is null without being
parsed and every other value typed as the unguarded conversion types it (rules.typed_expr); an address's validity
read from its key as the full check gives it (rules.valid_in_checked)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.ingest import rules
from pipelines.ingest.sources import (
    ADDRESS,
    DATE,
    DATETIME,
    DECIMAL,
    EMAIL,
    INT,
    YEAR,
    Column,
    Source,
    hashed,
    quotable,
    quotable_sql,
)
from pipelines.ingest.tools import MAUTIC_TIMES, PRETIX_LIST_TIMES, ZOOM_TIMES

VALUES = {
    DATE: ["", "   ", "31.12.2024", "2024-12-31", "31.02.2019", "gestern", "12/31/2024"],
    DATETIME: [
        "",
        "  ",
        "31.12.2024 18:30",
        "2024-12-31T18:30:00+01:00",
        "2024-12-31 18:30:00Z",
        "2024-12-31T18:30:00.250",
        "nicht",
    ],
    INT: ["", " ", "12", " 7 ", "-3", "1.5", "zwölf"],
    YEAR: ["", " ", "2019", "1835", "3000", "neunzehn"],
    DECIMAL: ["", " ", "12,50", "1.234,56", "1.234", "12.5", "€ 20", "-3,00", "viel"],
}


def typed_both_ways(column: Column, values: list[str]) -> list[tuple]:
    """(value, typed with the guard, typed by the conversion alone) for each value, in DuckDB."""
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    con.execute(f"create table incoming (v_{column.name} varchar)")
    con.executemany("insert into incoming values (?)", [[v] for v in values])
    rows = con.execute(
        f"select v_{column.name}, {rules.typed_expr(column)}, "
        f"{rules._parsed_expr(column, rules.staged(column))} from incoming"
    ).fetchall()
    assert len(rows) == len(values)
    return rows


def test_an_iso_date_alone_in_a_date_and_time_column_is_midnight_in_berlin():
    """A workbook's date-time cell at midnight reads as a date (python-calamine); the row is not quarantined."""
    rows = typed_both_ways(
        Column("Beginn", "starts_at", DATETIME), ["2024-05-04", "04.05.2024", "2024-05-04 00:00"]
    )
    assert [str(guarded) for _, guarded, _ in rows] == ["2024-05-03 22:00:00", "None", "2024-05-03 22:00:00"]


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_an_empty_value_is_null_and_every_other_value_typed_as_before(kind):
    rows = typed_both_ways(Column("Wert", "value", kind), VALUES[kind])
    for value, guarded, parsed in rows:
        assert guarded == parsed, f"{kind} {value!r}"
        if value.strip() == "":  # null, as the conversion itself gives it
            assert guarded is None and parsed is None, f"{kind} {value!r}"
    # the guard is not a filter that hides values: some of them are read
    assert any(guarded is not None for _, guarded, _ in rows)


TOOL_TIMES = {
    ZOOM_TIMES: ["", " ", "03/14/2025 06:30:00 PM", "03/14/2025 06:30 PM", "Mar 14, 2025 18:30:00", "spät"],
    MAUTIC_TIMES: ["", " ", "December 15, 2025 10:15 am", "2025-12-15 10:15:00", "2025-12-15 10:15", "nie"],
    PRETIX_LIST_TIMES: ["", " ", "2025-03-14 18:30", "14.03.2025 18:30", "14.03.2025 18:30:05", "—"],
}


@pytest.mark.parametrize("formats", list(TOOL_TIMES), ids=["zoom", "mautic", "pretix"])
def test_the_tools_own_time_formats_give_the_same_values_guarded(formats):
    rows = typed_both_ways(Column("Zeit", "value", DATETIME, formats=formats), TOOL_TIMES[formats])
    for value, guarded, parsed in rows:
        assert guarded == parsed, value
    assert sum(guarded is not None for _, guarded, _ in rows) == 3  # each of the three readable values read


def _formats_in_use() -> set[tuple[str, ...]]:
    """Every list of formats a date or time column of a source or a tool's export is read with."""
    from pipelines.ingest.sources import SOURCES
    from pipelines.ingest.tools import tables

    used = {rules.DATE_FORMATS, tuple(rules.NAIVE_DATETIME_FORMATS)}
    for source in [*SOURCES, *tables()]:
        for c in source.columns:
            if c.kind in (DATE, DATETIME) and c.formats:
                used.add(tuple(c.formats))
    return used


def _times_written_and_mangled(formats: set[tuple[str, ...]]) -> list[str]:
    """Moments written in each format, and each of them mangled once: a separator changed, a character
    dropped or added, lower case, something appended (a fixed seed: the same values on every run)."""
    import random
    from datetime import datetime, timedelta

    chance = random.Random(13)
    every = sorted({f for listed in formats for f in listed})
    values = {"", " ", ".", "-", ":", "/", ",", "2024-01-05T10:00:00.123", "5.1.2024 9:05", "05.01.2024"}
    for _ in range(1500):
        moment = datetime(1990, 1, 1) + timedelta(seconds=chance.randrange(40 * 365 * 86400))
        written = moment.strftime(chance.choice(every))
        values.add(written)
        chars, at = list(written), chance.randrange(len(written))
        mangle = chance.randrange(5)
        if mangle == 0:
            chars[at] = chance.choice(".,/-: T0a")
        elif mangle == 1:
            del chars[at]
        elif mangle == 2:
            chars.insert(at, chance.choice(".,/-: T5"))
        elif mangle == 3:
            chars = list(written.lower())
        else:
            chars += list(chance.choice([".5", ":00", " ", "Z", " AM"]))
        values.add("".join(chars))
    return sorted(values)


def test_a_format_that_cannot_read_a_value_is_not_tried_and_the_first_that_can_still_reads_it():
    """rules.strptime_any leaves out the formats whose separators are not all in the value: for every list of
    formats in use, it reads each value (written in one of the formats, or mangled) exactly as try_strptime
    over the whole list does; and an ISO time without a dot is not tried against the German formats."""
    used = _formats_in_use()
    assert len(used) >= 5  # the two defaults, pretix's, Zoom's, Mautic's
    values = _times_written_and_mangled(used)
    con = duckdb.connect()
    con.execute("create table v as select unnest(?) as v", [values])
    for formats in sorted(used):
        listed = ", ".join(f"'{f}'" for f in formats)
        differ, read = con.execute(
            f"select count(*) filter (where try_strptime(v, [{listed}]) is distinct from "
            f"{rules.strptime_any('v', formats)}), count(try_strptime(v, [{listed}])) from v"
        ).fetchone()
        assert differ == 0, formats
        assert read >= 200, formats  # not a comparison of nulls: hundreds of the values are read
    naive = rules.strptime_any("v", rules.NAIVE_DATETIME_FORMATS)
    assert (
        "else case when contains(v, '-') then case when contains(v, ':') then try_strptime(v, "
        "['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M', '%Y-%m-%d'])" in naive
    )


def test_only_the_kinds_that_parse_are_guarded():
    assert rules.typed_expr(Column("Name", "name")) == "nullif(trim(v_name), '')"
    for kind in VALUES:
        assert rules.typed_expr(Column("Wert", "value", kind)).startswith(
            "case when trim(v_value) <> '' then "
        )


ADDRESSES = [
    "",
    "   ",
    "anna@example.org",
    " Anna.Lange@T-Online.DE ",
    "jürgen@müller.de",
    "Ju\u0308rgen@mu\u0308ller.de",
    "kein at zeichen",
    "zwei@@example.org",
    "ohne@punkt",
    "mit leer@example.org",
    "ende@example.",
]


def test_an_address_is_valid_in_checked_exactly_where_the_full_check_says_so():
    con = duckdb.connect()
    column = Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS))
    con.execute("create table incoming (v_email varchar)")
    con.executemany("insert into incoming values (?)", [[v] for v in ADDRESSES])
    con.execute(f"create table checked as select v_email, {rules.hash_key(column)} as k_email from incoming")
    rows = con.execute(
        f"select v_email, {rules.valid_in_checked(column)}, {rules.email_valid(column)} from checked"
    ).fetchall()
    assert rules.valid_in_checked(column) == "k_email is not null"
    assert len(rows) == len(ADDRESSES)
    for value, from_key, full in rows:
        assert from_key is full, value
    assert sorted({full for _, _, full in rows}) == [False, True]
    # an address that is not hashed has no key: the full check stays
    plain = Column("E-Mail", "email", EMAIL)
    assert rules.valid_in_checked(plain) == rules.email_valid(plain)


KEYED = Source(
    name="keyed",
    folder="keyed",
    prefix="keyed",
    key="key_id",
    columns=(Column("ID", "key_id", required=True), Column("Datum", "day", DATE), Column("Name", "name")),
)


def _checked(keys: list[str]) -> tuple[bool, list[tuple], list[tuple]]:
    """(whether the keys count as repeated, `checked` numbered by key, `checked` unnumbered) for one file."""
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    con.execute("create table incoming (v_key_id varchar, v_day varchar, v_name varchar, _line bigint)")
    con.executemany(
        "insert into incoming values (?, ?, ?, ?)",
        [[key, "31.12.2024", f" name {line} ", line] for line, key in enumerate(keys, start=2)],
    )
    repeated = con.execute(rules.repeated_keys_select(KEYED)).fetchone()[0]
    order = " order by _line"
    numbered = con.execute(rules.checked_select(KEYED) + order).fetchall()
    unnumbered = con.execute(rules.checked_select(KEYED, repeated_keys=False) + order).fetchall()
    con.close()
    return repeated, numbered, unnumbered


def test_a_file_is_numbered_by_key_unless_each_key_occurs_once_and_either_way_the_rows_are_the_same():
    """The window that finds a repeated key is left out only where no key is repeated: there it would have
    numbered every row 1, so `checked` is the same without it."""
    repeated, numbered, unnumbered = _checked(["A-1", "A-2", " A-3 ", "a-1"])
    assert repeated is False and numbered == unnumbered
    assert all(row[-1] is None for row in numbered)  # no _failure: each key once (case and spaces as staged)
    # a key repeated after trimming, or empty twice, is numbered (and a repeat quarantined as before)
    for keys in (["A-1", "A-2", " A-1"], ["", "A-2", ""]):
        repeated, numbered, unnumbered = _checked(keys)
        assert repeated is True, keys
        assert numbered != unnumbered
    _, numbered, _ = _checked(["A-1", "A-2", " A-1"])
    assert [row[-1] for row in numbered] == [None, None, "duplicate_id|ID"]


TIMED = Source(
    name="timed",
    folder="timed",
    prefix="timed",
    columns=(
        Column("ID", "timed_id", required=True),
        Column("Zeitpunkt", "at", DATETIME, required=True),
        Column("Gelesen", "read_at", DATETIME, formats=MAUTIC_TIMES),
        Column("Datum", "day", DATE),
    ),
)


def test_a_time_read_once_per_distinct_text_is_the_value_each_row_would_have_read():
    """`checked` reads a date and time once per distinct text and joins it back (rules.checked_select): every
    row gets the value, and the rule's outcome, that reading it in the row gave; no row is lost or doubled,
    whether its text recurs, differs only in spaces, is empty, or cannot be read (a null text included)."""
    # Berlin wall time on both sides of the changes to and from summer time, an hour that does not exist
    times = VALUES[DATETIME] + ["2024-03-31 02:30", "2024-10-27 02:30:00", "27.10.2024 03:00", None]
    read = ["", "December 15, 2025 10:15 am", "2025-12-15 10:15", "nie", " December 15, 2025 10:15 am", None]
    rows = [
        [f"T-{line}", times[line % len(times)], read[line % len(read)], "31.12.2024", line]
        for line in range(2, 80)
    ]
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    con.execute(
        "create table incoming (v_timed_id varchar, v_at varchar, v_read_at varchar, v_day varchar, _line bigint)"
    )
    con.executemany("insert into incoming values (?, ?, ?, ?, ?)", rows)
    sql = rules.checked_select(TIMED)
    assert "times_at" in sql and "times_read_at" in sql and "times_day" not in sql  # a date alone row by row
    checked = con.execute(
        f"select _line, t_at, t_read_at, t_day, _failure from ({sql}) order by _line"
    ).fetchall()
    by_row = con.execute(
        f"select _line, {rules.typed_expr(TIMED.column('at'))}, {rules.typed_expr(TIMED.column('read_at'))}, "
        f"{rules.typed_expr(TIMED.column('day'))} from incoming order by _line"
    ).fetchall()
    assert [row[:4] for row in checked] == by_row
    assert (
        len({row[1] for row in checked if row[1] is not None}) >= 5
    )  # times read, not a comparison of nulls
    assert sum(row[2] is not None for row in checked) > 0
    # the rules see the joined values: a text that cannot be read is quarantined as before
    failures = {row[4] for row in checked}
    assert "invalid_datetime|Zeitpunkt" in failures and "invalid_datetime|Gelesen" in failures
    assert None in failures


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("31.02.2024", True),
        ("12,5,0", True),
        ("NL-2024-07", True),
        ("Gasthörer/in", True),
        ("morgen", True),
        ("Hilde", False),  # a capitalised word may be a name
        ("Hans-Peter", False),
        ("50 Euro bar von Hilde", False),  # free text typed into an amount
        ("Referentin Dr. Hilde", False),
        ("erika@example.org", False),
        (
            "50\u00a0Euro\u00a0von\u00a0Erika",
            False,
        ),  # no-break spaces (Excel, Word): white space to Python and SQL alike
        ("\u738b\u82b3", False),  # a name in a script without capitals
        ("15\u202f€", False),  # a narrow no-break space too
        ("15€", True),
        ("x" * 33, False),
    ],
)
def test_a_broken_value_is_quoted_only_where_it_looks_like_what_its_column_holds(value, shown):
    """In SQL (quarantine messages) and in Python (a check's examples) alike."""
    con = duckdb.connect()
    try:
        assert con.execute(f"select {quotable_sql('$v')}", {"v": value}).fetchone()[0] is shown
    finally:
        con.close()
    assert quotable(value) is shown

"""The row rules as SQL text (rules.py) and the tables' columns (schema.py), built from a sample `Source`
without any database: every test here runs with DuckDB's `connect` made to fail."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.ingest import rules, schema
from pipelines.ingest.sources import (
    ADDRESS,
    BOOL,
    DATE,
    DECIMAL,
    EMAIL,
    MEMBER,
    MEMBER_ID,
    PERSONAL_VALUES,
    REQUEST,
    YEAR,
    Column,
    Reference,
    Rule,
    Source,
    hashed,
    quotable_sql,
)

SAMPLE = Source(
    name="sample",
    folder="sample",
    prefix="sample",
    key="sample_id",
    columns=(
        Column("ID", "sample_id", required=True),
        Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS)),
        Column("Name", "name", privacy=PERSONAL_VALUES),
        Column("Datum", "day", DATE, required=True),
        Column("Betrag", "amount", DECIMAL),
        Column("Aktiv", "active", BOOL),
        Column("Jahr", "year", YEAR),
        Column("Art", "kind", allowed=("a", "B")),
        Column("Club", "club_id"),
    ),
    references=(Reference("club_id", "clubs", "club_id", "unknown_club", also=("external_id",)),),
    rules=(Rule("trim(v_kind) = 'a' and trim(v_club_id) = ''", "missing_club", "Club"),),
)
REQUESTS = Source(
    name="requests",
    folder="requests",
    prefix="requests",
    columns=(
        Column("Mitgliedsnummer", "member_id", MEMBER_ID, privacy=hashed(MEMBER, REQUEST)),
        Column("E-Mail", "email", EMAIL, privacy=hashed(ADDRESS, REQUEST)),
        Column("Eingegangen am", "requested_on", DATE),
    ),
    identity=("member_id", "email"),
)


@pytest.fixture(autouse=True)
def _no_database(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the SQL builders must not need a connection")

    monkeypatch.setattr(duckdb, "connect", refuse)


def test_values_are_typed_from_the_trimmed_text():
    column = SAMPLE.column
    # each format tried only on values with its separators (a German date has dots, an ISO date dashes)
    assert rules.typed_expr(column("day")) == (
        "case when trim(v_day) <> '' then case when contains(trim(v_day), '.') then "
        "case when contains(trim(v_day), '-') then try_strptime(trim(v_day), ['%d.%m.%Y', '%Y-%m-%d']) "
        "else try_strptime(trim(v_day), ['%d.%m.%Y']) end "
        "else case when contains(trim(v_day), '-') then try_strptime(trim(v_day), ['%Y-%m-%d']) "
        "else cast(null as timestamp) end end::date end"
    )
    own = Column("Tag", "day", DATE, formats=("%m/%d/%Y",))
    assert rules.typed_expr(own) == (
        "case when trim(v_day) <> '' then case when contains(trim(v_day), '/') then "
        "try_strptime(trim(v_day), ['%m/%d/%Y']) else cast(null as timestamp) end::date end"
    )
    # a format without any of the separators is tried on every value
    assert rules.strptime_any("v", ("%Y%m%d",)) == "try_strptime(v, ['%Y%m%d'])"
    assert rules.typed_expr(column("sample_id")) == "nullif(trim(v_sample_id), '')"
    member_id = rules.stripped("v_member_id")  # a member id is stripped as Python strips it
    assert rules.typed_expr(Column("Nr", "member_id", MEMBER_ID)) == f"nullif(upper({member_id}), '')"
    assert "between 1836 and year(current_date) + 1" in rules.typed_expr(column("year"))
    assert "'ja', 'yes', 'true', '1'" in rules.typed_expr(column("active"))


def test_hash_keys_normalise_and_only_valid_addresses_are_hashed():
    email = SAMPLE.column("email")
    address = rules.stripped("v_email")  # an address is stripped as Python strips it, as a member id is
    assert rules.hash_key(email) == (
        f"case when regexp_full_match(lower(nfc_normalize({address})), '[^@\\s]+@[^@\\s]+\\.[^@\\s.]+') "
        f"then lower(nfc_normalize({address})) end"
    )
    member_id = Column("Nr", "member_id", MEMBER_ID)
    text = rules.stripped("v_member_id")
    assert rules.hash_key(member_id) == f"case when {text} <> '' then upper({text}) end"
    # one value outside a staged row (a malformed record's field) is hashed the same way
    text = rules.stripped("$v")
    assert (
        rules.value_hash_sql(member_id)
        == f"select alumni_hmac(case when {text} <> '' then upper({text}) end)"
    )


def test_the_first_broken_rule_wins_in_the_declared_order():
    failure = rules.failure_expr(SAMPLE)
    order = [
        "when trim(v_sample_id) = '' then 'missing_required|ID'",
        "when trim(v_day) = '' then 'missing_required|Datum'",
        "when trim(v_day) <> '' and t_day is null then 'invalid_date|Datum'",
        "then 'implausible_date|Datum'",
        "when trim(v_amount) <> '' and t_amount is null then 'invalid_decimal|Betrag'",
        "when lower(trim(v_kind)) not in ('a', 'b') then 'invalid_value|Art'",
        "when trim(v_club_id) not in (select club_id from raw.clubs where club_id is not null union all "
        "select external_id from raw.clubs where external_id is not null) then 'unknown_club|Club'",
        "when _key_seq > 1 then 'duplicate_id|ID'",
        "when trim(v_kind) = 'a' and trim(v_club_id) = '' then 'missing_club|Club'",
    ]
    positions = [failure.index(part) for part in order]
    assert positions == sorted(positions)
    assert failure.startswith("case ") and failure.endswith(" end")
    # an amount must be positive only where the contract says so (donations' amount_eur)
    assert "non_positive_amount" not in failure
    assert "missing_identity" not in failure
    member_id = rules.stripped("v_member_id")
    assert (
        f"when {member_id} = '' and {rules.stripped('v_email')} = '' then 'missing_identity|Mitgliedsnummer'"
        in (rules.failure_expr(REQUESTS))
    )


def test_checked_rows_carry_types_the_key_sequence_and_hash_keys():
    checked = rules.checked_select(SAMPLE)
    assert "row_number() over (partition by trim(v_sample_id) order by _line) as _key_seq" in checked
    assert checked.endswith("from incoming) as staged")
    assert " as k_email" in checked and " as k_name" not in checked  # only hashed columns get a key
    assert "1 as _key_seq" in rules.checked_select(REQUESTS)
    # a file known to hold each key once is not numbered by key
    assert rules.repeated_keys_select(SAMPLE) == (
        "select count(*) > count(distinct trim(v_sample_id)) from incoming"
    )
    assert rules.repeated_keys_select(REQUESTS) is None
    unique = rules.checked_select(SAMPLE, repeated_keys=False)
    assert "row_number()" not in unique and "1 as _key_seq" in unique
    assert unique.replace("1 as _key_seq", "") == checked.replace(
        "row_number() over (partition by trim(v_sample_id) order by _line) as _key_seq", ""
    )


def test_only_parsed_values_are_written_beside_the_text_and_the_inserts_read_the_rest_from_it():
    """A date, a number, a yes/no is parsed once into `checked`; a text, an address or an id is its trimmed
    text, taken where it is inserted (copied beside the text it made `checked` a fifth slower to write)."""
    checked = rules.checked_select(SAMPLE)
    parsed = {name for name in ("day", "amount", "active", "year") if f" as t_{name}" in checked}
    assert parsed == {"day", "amount", "active", "year"}
    assert not any(f" as t_{name}" in checked for name in ("sample_id", "email", "name", "kind", "club_id"))
    assert [rules.typed(SAMPLE.column(n)) for n in ("day", "name")] == ["t_day", "nullif(trim(v_name), '')"]
    assert rules.typed(REQUESTS.column("member_id")) == f"nullif(upper({rules.stripped('v_member_id')}), '')"
    assert [rules.value_columns(SAMPLE.column(n)) for n in ("day", "name")] == [
        ["t_day", "v_day"],
        ["v_name"],
    ]
    insert = rules.raw_insert(SAMPLE)
    address = rules.stripped("v_email")
    assert f"select nullif(trim(v_sample_id), ''), nullif({address}, ''), k_email is not null, " in insert
    assert "nullif(trim(v_name), ''), t_day, t_amount, t_active, t_year, nullif(trim(v_kind), '')" in insert
    assert rules.ready_select(SAMPLE) == (
        "select checked.*, hashes_email.h as hash_email from checked "
        "left join hashes_email on checked.k_email = hashes_email.k"
    )


def test_good_rows_go_to_raw_typed_with_hashes_and_meta_columns():
    insert = rules.raw_insert(SAMPLE)
    columns = insert.split("(", 1)[1].split(")", 1)[0].split(", ")
    assert columns == [
        "sample_id", "email", "email_valid", "name", "day", "amount", "active", "year", "kind", "club_id",
        "email_hash", "_source_file", "_file_sha256", "_line", "_run_id", "_loaded_at", "_exported_at",
    ]  # fmt: skip
    assert (
        f"nullif({rules.stripped('v_email')}, '')" in insert
    )  # the address as written; its hash and validity beside it
    assert "k_email is not null" in insert  # the validity from the key, not checked once more
    assert insert.endswith("$file, $sha, _line, $run, now(), $exported from ready where _failure is null")
    # an erasure request keeps only the keyed hashes
    assert rules.raw_insert(REQUESTS).startswith(
        "insert into raw.requests (requested_on, member_id_hash, email_hash, _source_file"
    )


def test_quarantine_messages_show_values_only_of_columns_not_declared_personal():
    message = rules.message_sql(SAMPLE)
    for header, column in (("ID", "v_sample_id"), ("Art", "v_kind")):
        value = f"trim({column})"
        assert f"when '{header}' then case when {quotable_sql(value)} then {value} end" in message
    assert "'E-Mail'" not in message and "'Name'" not in message
    insert = rules.quarantine_insert(SAMPLE)
    assert insert.startswith("insert into quarantine.sample (sample_id, email, name, day,")
    assert insert.endswith("from ready where _failure is not null")
    assert rules.quarantine_columns(REQUESTS)[:2] == ["requested_on", "member_id_hash"]
    assert rules.malformed_insert(REQUESTS).endswith(f"values ({', '.join(['?'] * 13)})")


def test_kept_values_are_counted_per_header_and_reasons_are_in_words():
    kept = rules.kept_with_issue_select(SAMPLE)
    assert '"Aktiv"' in kept and '"Jahr"' in kept and '"E-Mail"' in kept and '"Betrag"' not in kept
    assert rules.kept_with_issue_select(Source("x", "x", "x", (Column("A", "a"),))) is None
    log = rules.quarantine_log_insert(SAMPLE)
    assert "when 'duplicate_id' then 'the id occurs earlier in the same file'" in log
    assert log.endswith("from quarantine.sample where _file_sha256 = ?")
    assert rules.sql_literal("it's") == "'it''s'"


def test_table_columns_follow_the_declaration():
    raw = schema.raw_table_columns(SAMPLE)
    assert raw[:4] == [
        ("sample_id", "varchar"),
        ("email", "varchar"),
        ("email_valid", "boolean"),
        ("name", "varchar"),
    ]
    assert ("day", "date") in raw and ("amount", "decimal(14, 2)") in raw and ("email_hash", "varchar") in raw
    quarantine = schema.quarantine_table_columns(SAMPLE)
    assert all(t == "varchar" for n, t in quarantine if n in {c.name for c in SAMPLE.columns})
    assert [n for n, _ in quarantine][-4:] == ["_raw_record", "_column", "_reason", "_message"]
    assert [n for n, _ in schema.raw_table_columns(REQUESTS)][:3] == [
        "requested_on",
        "member_id_hash",
        "email_hash",
    ]


def test_a_member_ids_text_is_stripped_as_python_strips_it():
    """DuckDB's trim() leaves a tab, a line break and the other control white space; `stripped` strips what
    Python's strip() strips (privacy.normalise_member_id), and takes the regular expression only for those."""
    import duckdb

    characters = [chr(c) for c in range(0x3001) if chr(c).isspace()] + [
        "\u200b",
        "\ufeff",
        "\x00",
        "A",
        "1",
        "ß",
    ]
    values = ["", " ", "\t", "A1\t", " \tA1 \n", "\u3000A1\u00a0", "\u2028A\u2029", "A \x0b B"]
    values += [
        "".join(characters[(n * 7 + k * 13) % len(characters)] for k in range(n % 6)) for n in range(3000)
    ]
    got = duckdb.execute(
        f"select list({rules.stripped('v')} order by i) from unnest(?) with ordinality as t(v, i)", [values]
    ).fetchone()[0]
    assert got == [value.strip() for value in values]

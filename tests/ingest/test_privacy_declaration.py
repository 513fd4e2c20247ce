"""What is personal is declared once (sources.py, tools.py); the erasure sweep, the quality examples and the
publish guard follow that declaration. These tests tie the two together both ways: a personal or hashed column
that erasure does not handle fails, and so does a column the sweep names that no source declares."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.ingest import privacy, quality, rules
from pipelines.ingest.catalogue import raw_table, raw_tables
from pipelines.ingest.schema import ensure_schema
from pipelines.ingest.sources import DELETE, DETACH, EMAIL, REQUEST, TOMBSTONE

ERASED = "erased-identity-hash"
KEPT = "someone-else-hash"


def _declared(table: str) -> set[str]:
    """The columns of raw.<table> that a declaration names: its columns and the keyed hashes of hashed ones."""
    source = raw_table(table)
    assert source is not None, f"the sweep names table {table!r}, which no source declares"
    return {c.name for c in source.columns} | {f"{c.name}_hash" for c in source.hashed_columns}


def _swept() -> dict[str, set[str]]:
    """Every column the sweep reads or clears, per table."""
    named: dict[str, set[str]] = {}
    for table, column, _identity, _action in privacy.IDENTITY_COLUMNS:
        named.setdefault(table, set()).add(column)
    for table, column, _identity in privacy.DEPENDANTS:
        named.setdefault(table, set()).add(column)
    for (table, column), cleared in privacy.DETACH_COLUMNS.items():
        named.setdefault(table, set()).update((column, *cleared))
    for table, columns in privacy.LINKING_TABLES.items():
        named.setdefault(table, set()).update(columns)
    requests, *columns = privacy.REQUESTS
    named.setdefault(requests, set()).update(columns)
    return named


def test_the_sweep_names_only_declared_columns():
    for table, columns in _swept().items():
        undeclared = columns - _declared(table)
        assert not undeclared, f"the sweep names {table}.{sorted(undeclared)}, which no source declares"


@pytest.mark.parametrize("source", raw_tables(), ids=lambda s: s.name)
def test_every_personal_or_hashed_column_is_handled_by_erasure(source):
    matched = {column for table, column, *_ in privacy.IDENTITY_COLUMNS if table == source.name}
    dependants = {column for table, column, _ in privacy.DEPENDANTS if table == source.name}
    row_goes = any(t == source.name and a == DELETE for t, _c, _i, a in privacy.IDENTITY_COLUMNS)
    cleared = {c for (t, _), columns in privacy.DETACH_COLUMNS.items() if t == source.name for c in columns}
    for column in source.columns:
        if not column.personal:
            continue
        where = f"{source.name}.{column.name}"
        if not column.stored:  # an erasure request: only the keyed hash is kept, as the tombstone
            assert column.privacy.on_erasure == REQUEST and source.name == privacy.REQUESTS[0], where
            continue
        if column.hashed:
            assert f"{column.name}_hash" in matched | dependants, f"erasure never matches {where}_hash"
        # the value leaves with its row, or is emptied in a row that stays
        assert row_goes or column.name in cleared, f"erasure leaves {where} behind"


def test_every_tombstone_is_matched_somewhere():
    """A dependant key becomes an erased identity so that other rows carrying it go: some table must match it."""
    deleting = {identity for _t, _c, identity, action in privacy.IDENTITY_COLUMNS if action == DELETE}
    for table, column, identity in privacy.DEPENDANTS:
        assert identity in deleting, f"{table}.{column}: no table is swept for the identity {identity!r}"


def _row(con, table: str, values: dict[str, str]) -> None:
    columns = ", ".join(values)
    con.execute(
        f"insert into raw.{table} ({columns}) values ({', '.join('?' * len(values))})", list(values.values())
    )


def _quarantined(con, table: str, values: dict[str, str]) -> None:
    columns = ", ".join(values)
    con.execute(
        f"insert into quarantine.{table} ({columns}) values ({', '.join('?' * len(values))})",
        list(values.values()),
    )


def _personal_values(table: str) -> dict[str, str]:
    source = raw_table(table)
    return {c.name: f"{c.name}-value" for c in source.stored_columns if c.personal}


def _fresh():
    con = duckdb.connect()
    ensure_schema(con)
    privacy.install_hmac(con, b"test-key")
    con.execute(
        "insert into meta.erased_identities (hash, kind, requested_on, first_seen_run) values (?, 'x', current_date, 'r')",
        [ERASED],
    )
    return con


@pytest.mark.parametrize(
    "match", privacy.IDENTITY_COLUMNS, ids=lambda m: f"{m[0]}.{m[1]}" if isinstance(m, tuple) else str(m)
)
def test_the_sweep_erases_each_declared_column_in_a_real_table(match):
    """For every hashed column of every source: a row naming an erased person goes (DELETE), or keeps only
    what is not theirs (DETACH); a row of someone else stays untouched."""
    table, column, _identity, action = match
    con = _fresh()
    try:
        personal = _personal_values(table)
        _row(con, table, {**personal, column: ERASED, "_line": "2"})
        _row(con, table, {**personal, column: KEPT, "_line": "3"})
        privacy.sweep(con, "run-1")
        rows = con.execute(
            f"select _line, {', '.join([column, *personal])} from raw.{table} order by _line"
        ).fetchall()
        kept = (3, KEPT, *personal.values())
        if action == DELETE:
            assert rows == [kept]
        else:
            assert action == DETACH
            cleared = privacy.DETACH_COLUMNS[(table, column)]
            names = [column, *personal]
            detached = tuple(None if n in cleared else personal.get(n, ERASED) for n in names)
            assert rows == [(2, *detached), kept]
            assert set(cleared) <= set(names)
    finally:
        con.close()


@pytest.mark.parametrize("dependant", privacy.DEPENDANTS, ids=lambda d: f"{d[0]}.{d[1]}")
def test_a_tombstone_key_becomes_an_erased_identity_when_its_row_goes(dependant):
    table, key, identity = dependant
    deleting = next(c for t, c, _i, a in privacy.IDENTITY_COLUMNS if t == table and a == DELETE)
    con = _fresh()
    try:
        _row(con, table, {deleting: ERASED, key: "the-key-hash", "_line": "2"})
        privacy.sweep(con, "run-1")
        assert con.execute(f"select count(*) from raw.{table}").fetchone()[0] == 0
        assert con.execute(
            "select kind from meta.erased_identities where hash = 'the-key-hash'"
        ).fetchall() == [(identity,)]
    finally:
        con.close()


def _staged(con, table: str, rows: list[dict[str, str | None]]) -> None:
    """One file's staged rows as the loader holds them before writing: `checked` with each hashed column's
    key (`k_<column>`) and `hashes_<column>` (key -> keyed hash); a key `k:<hash>` hashes to `<hash>`."""
    hashed = [c.name for c in raw_table(table).hashed_columns]
    # a parsed value beside its text (`t_`) only for the kinds that are parsed (rules.checked_select)
    staged = [rules.value_columns(c) for c in raw_table(table).stored_columns]
    columns = [f"k_{c}" for c in hashed] + [name for names in staged for name in names]
    con.execute(
        f"create temp table checked (_line int, _failure varchar, {', '.join(f'{c} varchar' for c in columns)})"
    )
    for line, row in enumerate(rows, start=2):
        values = [f"k:{row[c]}" if row.get(c) else None for c in hashed]
        values += [f"{name[2:]}-value" for names in staged for name in names]
        con.execute(
            f"insert into checked values (?, ?, {', '.join('?' * len(columns))})",
            [line, row.get("_failure"), *values],
        )
    for c in hashed:
        con.execute(
            f"create temp table hashes_{c} as select distinct k_{c} as k, substr(k_{c}, 3) as h "
            f"from checked where k_{c} is not null"
        )


DELETING = [m for m in privacy.IDENTITY_COLUMNS if m[3] == DELETE]


@pytest.mark.parametrize("match", DELETING, ids=lambda m: f"{m[0]}.{m[1]}")
def test_rows_taken_out_before_writing_are_rows_the_sweep_removes(match):
    """For every column whose match deletes the row: a staged row that names only erased people is taken out
    before writing (a broken one too) and counted; someone else's row stays; a row that links an erased member
    to an address not yet erased goes too, the address derived from it; a row that links an erased address to
    a member not erased stays (the sweep keeps it with that member), in a table other than the snapshots
    without the address (counted as detached)."""
    table, column, identity, _action = match
    name = column.removesuffix("_hash")
    linking = privacy.LINKING_TABLES.get(table)
    other = None
    if linking:
        other = next(c for c in linking if c != column).removesuffix("_hash")
    con = _fresh()
    try:
        con.execute("update meta.erased_identities set kind = ?", [identity])  # as its request made it
        rows = [
            {name: ERASED},
            {name: ERASED, "_failure": "bad_date|Datum"},
            {name: KEPT},
        ]
        if other:
            rows.append({name: ERASED, other: "new-address-hash" if other.startswith("email") else KEPT})
        _staged(con, table, rows)
        source = raw_table(table)
        reveals = other is not None and other.startswith("email")
        detached = int(bool(other) and not reveals and table not in privacy.HOLDING_TABLES)
        assert privacy.erase_before_writing(con, "run-1", source) == ((2 if reveals else 1), 1, detached)
        left = [line for (line,) in con.execute("select _line from checked order by _line").fetchall()]
        # line 5: a member's row that reveals an address goes, the address derived from it; an erased address
        # in the row of a member not erased is not the member's to lose (the sweep keeps it too)
        assert left == ([4, 5] if other and not reveals else [4])
        assert con.execute(
            "select table_name, rows_affected, before_writing from meta.erasure_log order by all"
        ).fetchall() == [
            (f"quarantine.{table}", 1, True),
            (f"raw.{table}", (2 if reveals else 1) + detached, True),
        ]
        derived = "select hash, kind from meta.erased_identities where first_seen_run = 'run-1'"
        assert con.execute(derived).fetchall() == ([("new-address-hash", "email")] if reveals else [])
    finally:
        con.close()


def test_a_tombstone_key_of_a_row_taken_out_before_writing_becomes_an_erased_identity():
    for table, key, identity in privacy.DEPENDANTS:
        deleting = next(c for t, c, _i, a in privacy.IDENTITY_COLUMNS if t == table and a == DELETE)
        con = _fresh()
        try:
            _staged(
                con,
                table,
                [
                    {deleting.removesuffix("_hash"): ERASED, key.removesuffix("_hash"): "the-key-hash"},
                    {deleting.removesuffix("_hash"): KEPT, key.removesuffix("_hash"): "other-key-hash"},
                ],
            )
            assert privacy.erase_before_writing(con, "run-1", raw_table(table)) == (1, 0, 0)
            assert con.execute("select count(*) from checked").fetchone()[0] == 1
            assert con.execute(
                "select hash, kind from meta.erased_identities where hash like '%key-hash' order by all"
            ).fetchall() == [("the-key-hash", identity)]
        finally:
            con.close()


@pytest.mark.parametrize("linking", sorted(privacy.LINKING_TABLES), ids=str)
def test_an_erased_members_row_with_an_address_another_member_holds_goes_before_writing(linking):
    """A family mailbox: the sweep removes the erased member's row and leaves the address with the other
    member, deriving nothing. So it goes before writing, whether the other holder was written before or is in
    the same file; an address nobody else holds is derived, and its row goes too. Only a snapshot holds an
    address: another member's registration or donation at it (a gift, an assistant's mailbox) does not keep it,
    though its row, which names that member, stays."""
    member, address = (c.removesuffix("_hash") for c in privacy.LINKING_TABLES[linking])
    for holder_written_before in (True, False):
        con = _fresh()
        try:
            con.execute("update meta.erased_identities set kind = 'member'")
            rows = [{member: ERASED, address: "family-hash"}, {member: ERASED, address: "own-hash"}]
            if holder_written_before:
                _row(con, "members", {"member_id_hash": KEPT, "email_hash": "family-hash", "_line": "2"})
            else:
                rows.append({member: KEPT, address: "family-hash"})
            _staged(con, linking, rows)
            held = holder_written_before or linking in privacy.HOLDING_TABLES
            # the other member's row stays; where that row holds nothing, without the erased address
            assert privacy.erase_before_writing(con, "run-1", raw_table(linking)) == (2, 0, 0 if held else 1)
            left = [line for (line,) in con.execute("select _line from checked order by _line").fetchall()]
            assert left == ([] if holder_written_before else [4])
            assert con.execute("select hash from meta.erased_identities order by all").fetchall() == [
                (ERASED,),
                *([] if held else [("family-hash",)]),
                ("own-hash",),
            ]
        finally:
            con.close()


# One file's rows of a table that links members to addresses, against what was there before (an erased member,
# an address asked for by itself, two requests' dates): (member hash, address hash, rule broken).
LINKS_BEFORE = [("m-kept", "a-family")]
LINKS_STAGED = [
    ("m-erased", "a-new", None),  # reveals another address of the erased member
    ("m-erased", "a-new-too", "bad_date|Datum"),  # the same from a broken row
    (None, "a-new", None),  # a row without a member id, at the address revealed above
    ("m-erased", "a-family", None),  # a family mailbox: the holder written before keeps it
    ("m-erased", "a-shared", None),
    ("m-also-kept", "a-shared", None),  # ... or the holder in the same file
    ("m-behind", "a-requested", None),  # the member behind an address asked for by itself
    ("m-behind", "a-behind-other", None),  # ... and that member's other address
    ("m-erased", None, None),
    ("m-other", "a-other", None),  # someone else
    ("m-behind-too", "a-requested-too", None),  # a member not erased yet, at an address asked for
    # request dates: the sweep reads raw before quarantine, and an identity found in raw takes its date from raw
    ("m-erased", "a-both", None),  # revealed by a member asked for on 20.12.2021 in a good row ...
    ("m-erased-earlier", "a-both", "bad_date|Datum"),  # ... and one asked for on 1.11.2021 in a broken row
    ("m-behind-twice", "a-asked-later", None),  # behind an address asked for on 1.2.2022 (a good row) ...
    ("m-behind-twice", "a-asked-earlier", "bad_date|Datum"),  # ... and one asked for on 5.1.2022 (broken)
    (None, "a-malformed-new", None),  # at an address only a malformed record reveals (below)
]
# records that did not split into fields, quarantined whole before the staged rows are written: another member
# at an address an erased member's row reveals (its holder), and an erased member revealing an address
MALFORMED = [("m-kept-malformed", "a-new"), ("m-erased", "a-malformed-new")]


@pytest.mark.parametrize("malformed", [False, True], ids=["well-formed", "malformed"])
@pytest.mark.parametrize("linking", sorted(privacy.LINKING_TABLES), ids=str)
def test_rows_taken_out_before_writing_leave_what_the_sweep_leaves(linking, malformed):
    """The same file loaded two ways: its rows taken out before writing, the rest written and swept; or all of
    them written and swept. Both leave the same rows in raw and quarantine, and the same erased identities with
    the same request dates, each derived once: the member behind an address asked for by itself, the addresses
    of erased members that nobody else holds; not a family mailbox another member holds. A file's malformed
    records (quarantined whole before the erasure, as `staging.load_staged` does) hold and reveal addresses as
    they do for the sweep. Only the snapshots hold addresses (`holds_addresses`): in another table that links
    a member to an address, no member is behind an address asked for, and no other member keeps one."""
    member, address = privacy.LINKING_TABLES[linking]
    requests, request_member, request_address = privacy.REQUESTS

    def load(taken_out_first: bool):
        con = duckdb.connect()
        ensure_schema(con)
        privacy.install_hmac(con, b"test-key")
        for hashes, on in (
            (("m-erased", None), "2021-12-20"),
            (("m-erased-earlier", None), "2021-11-01"),
            ((None, "a-requested"), "2022-01-10"),
            ((None, "a-requested-too"), "2022-01-11"),
            ((None, "a-asked-later"), "2022-02-01"),
            ((None, "a-asked-earlier"), "2022-01-05"),
        ):
            con.execute(
                f"insert into raw.{requests} ({request_member}, {request_address}, requested_on) values (?, ?, ?)",
                [*hashes, on],
            )
        for line, (m, a) in enumerate(LINKS_BEFORE, start=2):
            _row(con, linking, {member: m, address: a, "_line": str(line), "_file_sha256": "before"})
        privacy.sweep(con, "run-0")  # the requests' own identities, as their file's load records them
        rows = [
            {member.removesuffix("_hash"): m, address.removesuffix("_hash"): a, "_failure": f}
            for m, a, f in LINKS_STAGED
        ]
        _staged(con, linking, rows)
        for line, (m, a) in enumerate(MALFORMED if malformed else [], start=len(LINKS_STAGED) + 2):
            _quarantined(con, linking, {member: m, address: a, "_line": str(line), "_file_sha256": "file"})
        if taken_out_first:
            privacy.erase_before_writing(con, "run-1", raw_table(linking), "file" if malformed else None)
            written.extend(
                line for (line,) in con.execute("select _line from checked order by _line").fetchall()
            )
        for schema, broken in (("raw", "is null"), ("quarantine", "is not null")):
            con.execute(
                f"insert into {schema}.{linking} ({member}, {address}, _line, _file_sha256) "
                f"select substr(k_{member.removesuffix('_hash')}, 3), substr(k_{address.removesuffix('_hash')}, 3), "
                f"_line, 'file' from checked where _failure {broken}"
            )
        privacy.sweep(con, "run-1", "file", linking)
        privacy.sweep(con, "run-1")
        try:
            return [
                con.execute(query).fetchall()
                for query in (
                    f"select _line, {member}, {address} from raw.{linking} order by all",
                    f"select _line, {member}, {address} from quarantine.{linking} order by all",
                    "select hash, kind, requested_on, first_seen_run from meta.erased_identities order by all",
                    "select table_name, before_writing from meta.erasure_log where run_id = 'run-1' order by all",
                )
            ]
        finally:
            con.close()

    written: list[int] = []
    first, after = load(taken_out_first=True), load(taken_out_first=False)
    assert first[:3] == after[:3]
    raw, quarantined, identities, logged = first
    expected = [
        ("a-asked-earlier", "email", "2022-01-05"),
        ("a-asked-later", "email", "2022-02-01"),
        ("a-behind-other", "email", "2022-01-10"),
        ("a-both", "email", "2021-12-20"),
        ("a-new", "email", "2021-12-20"),
        ("a-new-too", "email", "2021-12-20"),
        ("a-requested", "email", "2022-01-10"),
        ("a-requested-too", "email", "2022-01-11"),
        ("m-behind", "member", "2022-01-10"),
        ("m-behind-too", "member", "2022-01-11"),
        ("m-behind-twice", "member", "2022-02-01"),
        ("m-erased", "member", "2021-12-20"),
        ("m-erased-earlier", "member", "2021-11-01"),
    ]
    if linking not in privacy.HOLDING_TABLES:
        # no member is behind an address asked for, and no other member keeps an address (a registration holds
        # none): the addresses of the erased members go, the family's and the shared one too, each from the rows
        # of members who are not erased, which stay
        erased = [e for e in expected if e[0] != "a-behind-other" and not e[0].startswith("m-behind")]
        erased += [("a-family", "email", "2021-12-20"), ("a-shared", "email", "2021-12-20")]
        erased += [("a-malformed-new", "email", "2021-12-20")] if malformed else []
        assert [(h, k, str(on)) for h, k, on, _run in identities] == sorted(erased)
        gone = {h for h, _, _ in erased}

        def left(line: int, m: str, a: str) -> tuple:
            return (line, m, None if a in gone else a)

        named = [(line + 2, m, a) for line, (m, a, f) in enumerate(LINKS_STAGED) if f is None and m]
        kept = [left(2, "m-kept", "a-family"), *(left(*r) for r in named if not r[1].startswith("m-erased"))]
        assert raw == sorted(kept + ([] if malformed else [(len(LINKS_STAGED) + 1, None, "a-malformed-new")]))
        assert quarantined == [
            left(16, "m-behind-twice", "a-asked-earlier"),
            *([left(18, *MALFORMED[0])] if malformed else []),
        ]
        # every staged row that stays is written as it stays: the sweep after writing changes only the row
        # written before (line 2) and the malformed record quarantined before the staged rows
        assert written == [7, 8, 9, 11, 12, 15, 16] + ([] if malformed else [len(LINKS_STAGED) + 1])
        after_writing = [(f"raw.{linking}", None)] + ([(f"quarantine.{linking}", None)] if malformed else [])
        assert sorted(logged, key=str) == sorted(
            [(f"quarantine.{linking}", True), (f"raw.{linking}", True), *after_writing], key=str
        )
        return
    kept = [(2, "m-kept", "a-family"), (7, "m-also-kept", "a-shared"), (11, "m-other", "a-other")]
    if malformed:
        # the malformed holder keeps a-new: not erased, and the row at it without a member id stays; the
        # malformed record of the erased member reveals a-malformed-new, and the staged row at it goes
        assert quarantined == [(len(LINKS_STAGED) + 2, *MALFORMED[0])]
        assert raw == sorted([*kept, (4, None, "a-new")])
        assert [(h, k, str(on)) for h, k, on, _run in identities] == sorted(
            [e for e in expected if e[0] != "a-new"] + [("a-malformed-new", "email", "2021-12-20")]
        )
        assert written == [4, 7, 11]
        return
    assert quarantined == []
    assert raw == sorted([*kept, (len(LINKS_STAGED) + 1, None, "a-malformed-new")])
    assert [(h, k, str(on)) for h, k, on, _run in identities] == expected
    # nothing that the sweep removes was written: no rewrite of warehouse.duckdb for this file
    assert written == [7, 11, len(LINKS_STAGED) + 1]
    assert logged == [(f"quarantine.{linking}", True), (f"raw.{linking}", True)]


DETACHED = [m for m in privacy.IDENTITY_COLUMNS if m[3] == DETACH]


@pytest.mark.parametrize("match", DETACHED, ids=lambda m: f"{m[0]}.{m[1]}")
def test_a_detached_column_is_emptied_before_writing_or_left_to_the_sweep_for_an_address(match):
    table, column, _identity, _action = match
    name = column.removesuffix("_hash")
    con = _fresh()
    try:
        _staged(con, table, [{name: ERASED}, {name: KEPT}])
        kind = next(c for c in raw_table(table).hashed_columns if c.name == name).kind
        cleared = [c for c in privacy.DETACH_COLUMNS[(table, column)] if not c.endswith("_hash")]
        before = con.execute("select * from checked order by _line").fetchall()
        result = privacy.erase_before_writing(con, "run-1", raw_table(table))
        after = con.execute("select * from checked order by _line").fetchall()
        if kind == EMAIL:  # raw keeps the address's validity, read from its key: the sweep detaches it
            assert result == (0, 0, 0) and after == before
            return
        assert result == (0, 0, 1)
        assert after[1] == before[1]  # someone else's row untouched
        staged = [n for c in cleared for n in rules.value_columns(raw_table(table).column(c))]
        emptied = con.execute(f"select k_{name}, {', '.join(staged)} from checked where _line = 2").fetchone()
        assert set(emptied) == {None}
        assert con.execute(
            "select table_name, rows_affected, before_writing from meta.erasure_log"
        ).fetchall() == [(f"raw.{table}", 1, True)]
    finally:
        con.close()


def test_declared_privacy_actions_are_known():
    actions = {c.privacy.on_erasure for s in raw_tables() for c in s.hashed_columns}
    assert actions <= {DELETE, DETACH, TOMBSTONE, REQUEST}


def test_quality_shows_example_values_only_of_columns_declared_not_personal():
    assert quality.may_show_values("members", ["status_group"])
    assert quality.may_show_values("members", ["email_valid"])  # a flag: whether, not what
    assert quality.may_show_values("events", ["event_id"])  # an id, but not a person's
    for column in ("member_id", "member_id_hash", "first_name", "email", "email_hash"):
        assert not quality.may_show_values("members", [column]), column
    assert not quality.may_show_values("club_activities", ["note"])
    assert not quality.may_show_values("pretix_order_positions", ["attendee_name"])
    assert not quality.may_show_values(
        "members", ["member_id", "_source_file"]
    )  # compound: any one withholds
    assert not quality.may_show_values("clubs", ["club_id", "_source_file"])  # a file name may be personal


def test_publish_guard_knows_every_declared_personal_column():
    names = privacy.personal_column_names()
    for source in raw_tables():
        for column in source.columns:
            if column.personal:
                assert column.name in names
            if column.hashed:
                assert f"{column.name}_hash" in names
    assert not {"status_group", "campaign_id", "event_id", "club_id", "email_valid"} & names

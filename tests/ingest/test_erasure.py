"""Erasure: every trace of the person (by id and every address ever linked) leaves, and never comes back."""

from __future__ import annotations

import os
import stat

from pipelines.ingest import BY_NAME, connect, guards, ingest_source
from pipelines.ingest.loader import load_file
from pipelines.ingest.privacy import keyed_hash, load_key
from pipelines.ingest.sources import REASONS
from tests.helpers import TEST_KEY, ingest_all, query, temp_objects, write_export
from tests.ingest.test_loader import (
    ACTIVITY,
    ATTENDANCE,
    CAMPAIGNS,
    DONATIONS,
    ERASURE,
    EVENTS,
    MEMBERS,
    member,
)

KEY = TEST_KEY.encode()
PERSON_HASHES = {
    keyed_hash(KEY, "A-000042"),
    keyed_hash(KEY, "old@x.de"),
    keyed_hash(KEY, "new@x.de"),
}
KEEP = keyed_hash(KEY, "keep@x.de")


def traces(data_dir) -> int:
    """Rows anywhere in raw or quarantine that carry one of the person's hashes or plain values
    (the erasure request itself stays, as keyed hashes and a date: the proof of erasure)."""
    con = connect(data_dir)
    try:
        found = 0
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'quarantine') and table_name <> 'erasure_requests'"
        ).fetchall()
        for schema, table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            ]
            text = " || '|' || ".join(f"coalesce(cast({c} as varchar), '')" for c in columns)
            for needle in [*PERSON_HASHES, "A-000042", "old@x.de", "new@x.de", "Erika"]:
                found += con.execute(
                    f"select count(*) from {schema}.{table} where contains(lower({text}), ?)",
                    [needle.lower()],
                ).fetchone()[0]
        return found
    finally:
        con.close()


def landing_with_person(data_dir):
    land = data_dir.landing
    person_2020 = member("A-000042", email="old@x.de")
    person_2020[1] = "Erika"
    person_2021 = member("A-000042", email="new@x.de")
    person_2021[1] = "Erika"
    write_export(
        land / "members/members_2020-01-15.csv", MEMBERS, [person_2020, member("A-000001", "keep@x.de")]
    )
    write_export(
        land / "members/members_2021-01-15.csv", MEMBERS, [person_2021, member("A-000001", "keep@x.de")]
    )
    write_export(
        land / "newsletter/campaigns_2021-12-31.csv",
        CAMPAIGNS,
        [["C1", "", "Neuigkeiten", "01.03.2021 10:00", "de"]],
    )
    write_export(
        land / "newsletter/activity_2021-12-31.csv",
        ACTIVITY,
        [
            ["C1", "OLD@x.de", "sent", "01.03.2021 10:00:00", "", "", ""],
            ["C1", "new@x.de", "sent", "01.03.2021 10:00:00", "", "", ""],
            ["C1", "keep@x.de", "sent", "01.03.2021 10:00:00", "", "", ""],
            ["C9", "new@x.de", "open", "01.03.2021 10:00:00", "", "", ""],  # quarantined, still a trace
        ],
    )
    write_export(
        land / "events/events_2021-12-31.csv",
        EVENTS,
        [["E1", "", "Karriere", "01.06.2021 18:00", "Chemnitz", "DE", "Präsenz", "zentral", "", ""]],
    )
    write_export(
        land / "events/attendance_2021-12-31.csv",
        ATTENDANCE,
        [
            ["R1", "E1", "", "A-000042", "01.05.2021", "angemeldet", "01.06.2021 18:00", "Teilnehmer/in"],
            ["R2", "E1", "keep@x.de", "", "01.05.2021", "angemeldet", "", "Teilnehmer/in"],
        ],
    )
    write_export(
        land / "donations/donations_2021-12-31.csv",
        DONATIONS,
        [["S1", "", "new@x.de", "01.02.2021", "50,00", "Sonstiges"]],
    )


def test_erasure_by_an_old_address_removes_every_trace(data_dir):
    landing_with_person(data_dir)
    ingest_all(data_dir, "run-1")
    assert traces(data_dir) > 0
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [["", "Old@X.de", "20.12.2021"]]
    )
    ingest_all(data_dir, "run-2")
    assert traces(data_dir) == 0
    # the rest stays
    assert query(data_dir, "select count(*) from raw.members")[0][0] == 2
    assert query(data_dir, "select count(*) from raw.newsletter_activity")[0][0] == 1
    # the request itself is kept only as keyed hashes and a date
    columns = [
        c
        for (c,) in query(
            data_dir,
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'erasure_requests'",
        )
    ]
    assert "email" not in columns and "member_id" not in columns
    assert query(data_dir, "select email_hash, requested_on from raw.erasure_requests")[0][0] == keyed_hash(
        KEY, "old@x.de"
    )
    erased = {h for (h,) in query(data_dir, "select hash from meta.erased_identities")}
    assert erased >= PERSON_HASHES


def test_erased_person_never_comes_back_from_older_or_newer_files(data_dir):
    landing_with_person(data_dir)
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [["A-000042", "", "20.12.2021"]]
    )
    ingest_all(data_dir, "run-1")
    assert traces(data_dir) == 0
    # the portal still exports the person for a while; an old export turns up again under a new name
    newer = member("A-000042", email="newest@x.de")
    write_export(
        data_dir.landing / "members/members_2022-02-15.csv", MEMBERS, [newer, member("A-000001", "keep@x.de")]
    )
    write_export(
        data_dir.landing / "newsletter/activity_2022-03-31.csv",
        ACTIVITY,
        [
            ["C1", "newest@x.de", "open", "01.03.2022 10:00:00", "", "", ""],
            ["C1", "new@x.de", "click", "01.03.2022 10:00:00", "x", "", ""],
        ],
    )
    old = (data_dir.landing / "members/members_2020-01-15.csv").read_bytes()
    (data_dir.landing / "members/members_2019-12-31.csv").write_bytes(old + b"\n")
    results = ingest_all(data_dir, "run-2")
    assert traces(data_dir) == 0
    assert (
        query(
            data_dir,
            "select count(*) from raw.newsletter_activity where email_hash = ?",
            [keyed_hash(KEY, "newest@x.de")],
        )[0][0]
        == 0
    )
    erased_rows = sum(r.rows_erased for rs in results.values() for r in rs)
    assert erased_rows >= 4
    for name, read, loaded, quarantined in query(
        data_dir, "select file_name, rows_read, rows_loaded, rows_quarantined from meta.ingested_files"
    ):
        assert read == loaded + quarantined, name


def test_an_address_revealed_later_is_swept_everywhere_even_after_a_crash(data_dir):
    """A new snapshot links an erased member to an address whose activity was loaded earlier. The file's own
    sweep records the address; the sweep of every table follows. If the run dies in between, the next one
    still finds the address unswept and removes its activity."""
    landing_with_person(data_dir)
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [["A-000042", "", "20.12.2021"]]
    )
    write_export(
        data_dir.landing / "newsletter/activity_2022-03-31.csv",
        ACTIVITY,
        [["C1", "newest@x.de", "open", "01.03.2022 10:00:00", "", "", ""]],
    )
    ingest_all(data_dir, "run-1")
    newest = keyed_hash(KEY, "newest@x.de")
    activity = "select count(*) from raw.newsletter_activity where email_hash = ?"
    assert query(data_dir, activity, [newest])[0][0] == 1  # nobody knows yet whose address it is
    snapshot = data_dir.landing / "members/members_2022-04-15.csv"
    write_export(
        snapshot, MEMBERS, [member("A-000042", email="newest@x.de"), member("A-000001", "keep@x.de")]
    )
    con = connect(data_dir)
    try:  # the members file loads, then the run dies before the sweep of every table
        result = load_file(con, BY_NAME["members"], snapshot, "members/members_2022-04-15.csv", "run-2")
    finally:
        con.close()
    assert result.rows_erased == 1
    assert query(data_dir, activity, [newest])[0][0] == 1
    assert query(
        data_dir, "select swept_everywhere_at is null from meta.erased_identities where hash = ?", [newest]
    ) == [(True,)]
    ingest_all(data_dir, "run-3")
    assert query(data_dir, activity, [newest])[0][0] == 0
    assert traces(data_dir) == 0
    assert query(
        data_dir, "select count(*) from meta.erased_identities where swept_everywhere_at is null"
    ) == [(0,)]


def test_rows_of_people_erased_before_are_never_written_and_call_for_no_rewrite(data_dir):
    """Re-exports name erased people again (a running year's newsletter and event exports, an old snapshot
    under a new name): their rows are taken out of the staged rows before anything is written, counted as
    loaded (or quarantined) and erased as before, and the warehouse needs no rewrite for them. Nor for a
    file that reveals another address of an erased member: the address is derived from its staged rows."""
    landing_with_person(data_dir)
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [["A-000042", "", "20.12.2021"]]
    )
    ingest_all(data_dir, "run-1")
    assert traces(data_dir) == 0
    # the erasure came first: every row of the person was taken out before writing (the address derived too)
    assert guards.compact_after_erasure(data_dir) is None
    land = data_dir.landing
    old = (land / "members/members_2021-01-15.csv").read_bytes()
    (land / "members/members_2021-01-16.csv").write_bytes(old + b"\n")  # A-000042 with new@x.de: both erased
    write_export(
        land / "newsletter/activity_2022-03-31.csv",
        ACTIVITY,
        [
            ["C1", "OLD@x.de", "open", "01.03.2021 10:05:00", "", "", ""],
            ["C1", "new@x.de", "click", "01.03.2021 10:06:00", "x", "", ""],
            ["C9", "new@x.de", "open", "01.03.2021 10:07:00", "", "", ""],  # would be quarantined
            ["C1", "keep@x.de", "open", "01.03.2021 10:08:00", "", "", ""],
        ],
    )
    write_export(
        land / "events/attendance_2022-03-31.csv",
        ATTENDANCE,
        [
            ["R1", "E1", "", "A-000042", "01.05.2021", "angemeldet", "01.06.2021 18:00", "Teilnehmer/in"],
            ["R3", "E1", "new@x.de", "", "01.05.2021", "angemeldet", "", "Teilnehmer/in"],
            ["R2", "E1", "keep@x.de", "", "01.05.2021", "angemeldet", "", "Teilnehmer/in"],
        ],
    )
    results = ingest_all(data_dir, "run-2")
    assert traces(data_dir) == 0
    files = {r.file_name: r for rs in results.values() for r in rs}
    activity = files["newsletter/activity_2022-03-31.csv"]
    assert (activity.rows_loaded, activity.rows_quarantined, activity.rows_erased) == (3, 1, 3)
    assert activity.problems == []  # the erased person's broken row is not reported: it is gone
    assert files["events/attendance_2022-03-31.csv"].rows_erased == 2
    assert files["members/members_2021-01-16.csv"].rows_erased == 1
    for name, read, loaded, quarantined in query(
        data_dir, "select file_name, rows_read, rows_loaded, rows_quarantined from meta.ingested_files"
    ):
        assert read == loaded + quarantined, name
    logged = query(
        data_dir,
        "select table_name, sum(rows_affected), bool_and(before_writing) from meta.erasure_log "
        "where run_id = 'run-2' group by all order by all",
    )
    assert logged == [
        ("quarantine.newsletter_activity", 1, True),
        ("raw.attendance", 2, True),
        ("raw.members", 1, True),
        ("raw.newsletter_activity", 2, True),
    ]
    assert query(data_dir, "select count(*) from raw.newsletter_activity where email_hash = ?", [KEEP]) == [
        (2,)
    ]
    assert guards.compact_after_erasure(data_dir) is None  # nothing of them was written: no rewrite
    # a snapshot that links the erased member to an address nobody knew: the address derived, nothing written
    write_export(
        land / "members/members_2022-04-15.csv",
        MEMBERS,
        [member("A-000042", email="newest@x.de"), member("A-000001", "keep@x.de")],
    )
    ingest_all(data_dir, "run-3")
    assert query(
        data_dir,
        "select count(*) from meta.erased_identities where hash = ?",
        [keyed_hash(KEY, "newest@x.de")],
    ) == [(1,)]
    assert query(
        data_dir, "select table_name, before_writing from meta.erasure_log where run_id = 'run-3'"
    ) == [("raw.members", True)]
    assert guards.compact_after_erasure(data_dir) is None


def test_a_files_load_leaves_no_temp_table_in_the_connection(data_dir):
    """A file's staged rows (plain names and addresses) and what the erasure before writing derives from them
    (keyed hashes of erased people's addresses, and of their family mailboxes' other holders) are temp tables
    of the ingest's connection, which lives for a whole source: each file's load drops its own."""
    landing_with_person(data_dir)
    write_export(
        data_dir.landing / "erasure/erasure_2020-01-01.csv", ERASURE, [["A-000042", "", "20.12.2019"]]
    )
    con = connect(data_dir)
    try:
        for name in ("erasure_requests", "members"):
            ingest_source(con, data_dir, BY_NAME[name], "run-1")
        # the members' exports revealed the person's addresses before writing: the derivation's tables existed
        assert con.execute(
            "select count(*) from meta.erased_identities where hash in (?, ?)",
            [keyed_hash(KEY, "old@x.de"), keyed_hash(KEY, "new@x.de")],
        ).fetchone() == (2,)
        assert temp_objects(con) == ([], [])
    finally:
        con.close()


def test_key_file_is_created_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("ALUMNI_PSEUDONYM_KEY")
    first = load_key(tmp_path / "secrets")
    second = load_key(tmp_path / "secrets")
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "secrets" / "pseudonym.key").st_mode)
    assert mode == 0o600


def test_the_key_never_enters_the_warehouse(data_dir):
    landing_with_person(data_dir)
    ingest_all(data_dir)
    # what the SQL macro is made of (privacy.install_hmac, RFC 2104): the key padded to the block, XOR 0x36 / 0x5c
    block = TEST_KEY.encode().ljust(64, b"\0")
    pads = [bytes(b ^ pad for b in block) for pad in (0x36, 0x5C)]
    secrets = [
        TEST_KEY.encode(),
        *pads,
        *(p.hex().encode() for p in pads),
        *(p.hex().upper().encode() for p in pads),
    ]
    files = [p for p in data_dir.root.rglob("*") if p.is_file() and data_dir.secrets not in p.parents]
    assert data_dir.warehouse in files
    for path in files:
        content = path.read_bytes()
        for n, secret in enumerate(secrets):  # the message names which, never the bytes
            assert secret not in content, f"{path.name} holds secret #{n}"


def test_a_request_is_an_erased_identity_from_its_own_files_load(data_dir):
    """A request is recorded in the transaction of its own file (what the erasure before writing relies on for
    every later file), and again by every full sweep; another file's sweep does not record requests (it would
    only find them recorded: a statement per file, 1 s of a scale-1 build)."""
    from pipelines.ingest import privacy

    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [["A-000042", "", "20.12.2021"]]
    )
    con = connect(data_dir)
    try:
        requests = BY_NAME["erasure_requests"]
        path = data_dir.landing / "erasure/erasure_2022-01-01.csv"
        assert load_file(con, requests, path, "erasure/erasure_2022-01-01.csv", "run-1").status == "loaded"
        member_hash = keyed_hash(KEY, "A-000042")
        identities = "select hash, kind, requested_on::varchar from meta.erased_identities order by all"
        assert con.execute(identities).fetchall() == [(member_hash, "member", "2021-12-20")]
        # a request that reached raw otherwise (by hand, or a version before this one) waits for the full sweep
        con.execute(
            "insert into raw.erasure_requests (member_id_hash, email_hash, requested_on) values (?, null, ?)",
            [keyed_hash(KEY, "A-000043"), "2022-01-02"],
        )
        privacy.sweep(con, "run-2", "some-file", "members")
        assert len(con.execute(identities).fetchall()) == 1
        privacy.sweep(con, "run-2")
        assert con.execute(identities).fetchall() == [
            (member_hash, "member", "2021-12-20"),
            (keyed_hash(KEY, "A-000043"), "member", "2022-01-02"),
        ]
    finally:
        con.close()


def test_a_files_rows_are_found_to_hold_an_erased_identity_in_any_column_table_or_whole_record(data_dir):
    """The file's sweep asks once whether its rows hold an erased person (`privacy._file_touches_erased`, one
    statement for every column of raw and quarantine and the records kept whole): each place finds it, another
    file's rows do not, and nothing is found in a warehouse without erased identities."""
    from pipelines.ingest.privacy import _file_touches_erased

    erased, other = keyed_hash(KEY, "A-000042"), keyed_hash(KEY, "A-000007")
    tables = {"donations", "attendance"}
    places = {  # {h}: the row's hash, {v}: the member id as written, {f}: its file
        "raw member": "insert into raw.donations (member_id_hash, _file_sha256) values ('{h}', '{f}')",
        "raw address": "insert into raw.attendance (email_hash, _file_sha256) values ('{h}', '{f}')",
        "quarantined member": "insert into quarantine.donations (member_id_hash, _file_sha256) values ('{h}', '{f}')",
        "quarantined address": "insert into quarantine.attendance (email_hash, _file_sha256) values ('{h}', '{f}')",
        "record kept whole": "insert into quarantine.donations (_raw_record, _file_sha256) values ('S1;{v};;', '{f}')",
    }
    con = connect(data_dir)
    try:
        con.execute(places["raw member"].format(h=erased, f="g"))
        assert not _file_touches_erased(con, "g", tables)  # nobody erased yet
        con.execute("delete from raw.donations")
        con.execute("insert into meta.erased_identities (hash, kind) values (?, 'member')", [erased])
        for place, insert in places.items():
            con.begin()
            con.execute(insert.format(h=other, v="A-000007", f="f"))  # somebody else, in one file
            con.execute(insert.format(h=erased, v="a-000042 ", f="g"))  # the person, in another
            assert not _file_touches_erased(con, "f", tables), place
            assert _file_touches_erased(con, "g", tables), place
            assert not _file_touches_erased(con, "g", {"events", "clubs"}), place  # not in these tables
            con.rollback()
    finally:
        con.close()


def test_a_file_of_a_table_without_an_identity_column_is_not_searched_for_erased_people(data_dir):
    """Events, campaigns and the requests name nobody: their files' sweep asks DuckDB nothing, whether or not
    anybody was erased (`privacy._file_touches_erased`)."""
    from pipelines.ingest.privacy import _file_touches_erased

    con = connect(data_dir)
    statements = []

    class Watching:
        def execute(self, sql, *args):
            statements.append(sql)
            return con.execute(sql, *args)

    try:
        con.execute(
            "insert into meta.erased_identities (hash, kind) values (?, 'member')", [keyed_hash(KEY, "A-1")]
        )
        for table in ("events", "newsletter_campaigns", "erasure_requests"):
            assert not _file_touches_erased(Watching(), "f", {table})
        assert statements == []
        assert _file_touches_erased(Watching(), "f", {"donations"}) is False and len(statements) == 2
    finally:
        con.close()


def test_a_record_swallowed_by_an_unclosed_quote_goes_with_the_person_it_names(data_dir):
    """An unclosed quote makes one malformed record of two lines, kept whole in quarantine: the second line's
    member id follows a line break, and its erasure finds it there too."""
    erika = member("A-000042", "erika@x.de")
    erika[1] = '"Erika'  # a quote opened and never closed
    hans = member("A-000007", "hans@x.de")
    lines = [";".join(MEMBERS)] + [";".join(r) for r in (member("A-000001", "keep@x.de"), erika, hans)]
    path = data_dir.landing / "members/members_2021-01-15.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_all(data_dir, "run-1")
    assert query(data_dir, "select _line, _reason from quarantine.members") == [(3, "unbalanced_quote")]
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [["A-000007", "", "20.12.2021"]]
    )
    ingest_all(data_dir, "run-2")
    assert query(data_dir, "select count(*) from quarantine.members") == [(0,)]
    assert query(data_dir, "select member_id from raw.members") == [("A-000001",)]


def three_members(data_dir) -> None:
    write_export(
        data_dir.landing / "members/members_2021-01-15.csv",
        MEMBERS,
        [member("A-000001", "erika@x.de"), member("A-000002", "hans@x.de"), member("A-000003", "otto@x.de")],
    )


def test_a_request_that_names_no_one_is_quarantined_not_loaded_as_done(data_dir):
    """An address that is not a bare one (copied with its name from a mail client, written out against spam,
    in angle brackets, a mailto: link), given without a member id, erases nobody: the request goes to quarantine
    with a reason, where the office sees it, and never quotes the address. (White space around an address is
    stripped: see the next tests.)"""
    three_members(data_dir)
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv",
        ERASURE,
        [
            ["", "Erika Muster <erika@x.de>", "20.12.2021"],
            ["", "hans (at) x.de", "20.12.2021"],
            ["", "<erika@x.de>", "20.12.2021"],
            ["", "mailto:hans@x.de", "20.12.2021"],
            ["", "otto@x.de", ""],
        ],
    )
    results = ingest_all(data_dir)
    request = results["erasure_requests"][0]
    assert (request.rows_read, request.rows_loaded, request.rows_quarantined) == (5, 1, 4)
    assert query(
        data_dir, "select _line, _reason, _column, _message from quarantine.erasure_requests order by _line"
    ) == [
        (line, "unusable_identity", "E-Mail", f"column 'E-Mail': {REASONS['unusable_identity']}")
        for line in (2, 3, 4, 5)
    ]
    assert query(data_dir, "select member_id from raw.members order by 1") == [("A-000001",), ("A-000002",)]


def test_a_request_is_honoured_whatever_its_date_says(data_dir):
    """`Eingegangen am` is only the request's record: a date written otherwise (`15/01/2024`), or one that cannot
    be right (`15.01.24` is the year 24), is kept empty and counted, and the person is erased all the same."""
    three_members(data_dir)
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv",
        ERASURE,
        [["A-000001", "", "15/01/2024"], ["", "hans@x.de", "15.01.24"], ["A-000003", "", "20.12.2021"]],
    )
    results = ingest_all(data_dir)
    request = results["erasure_requests"][0]
    assert (request.rows_read, request.rows_loaded, request.rows_quarantined) == (3, 3, 0)
    assert request.kept_with_issue == {"Eingegangen am": 2}
    assert query(data_dir, "select member_id from raw.members") == []
    assert query(data_dir, "select count(*) from raw.erasure_requests where requested_on is null") == [(2,)]


def test_a_donation_in_another_members_name_holds_no_address(data_dir):
    """Erika gives a donation in Hans's name, with her own address: the row names Hans. Only the snapshots say
    who holds an address (CONTRACTS.md): a request by Erika's address alone erases Erika and no one else, and a
    request by her member id takes her address with her, which no other member's snapshots hold."""
    for request, run in (
        (["", "erika@x.de", "20.12.2021"], "first"),
        (["A-000042", "", "20.12.2021"], "later"),
    ):
        root = data_dir.root / run
        from pipelines.settings import DataDir

        here = DataDir(root)
        write_export(
            here.landing / "members/members_2021-01-15.csv",
            MEMBERS,
            [member("A-000042", "erika@x.de"), member("A-000007", "hans@x.de")],
        )
        write_export(
            here.landing / "newsletter/campaigns_2021-12-31.csv",
            CAMPAIGNS,
            [["C1", "", "Neuigkeiten", "01.03.2021 10:00", "de"]],
        )
        write_export(
            here.landing / "newsletter/activity_2021-12-31.csv",
            ACTIVITY,
            [["C1", a, "open", "01.03.2021 10:00:00", "", "", ""] for a in ("erika@x.de", "hans@x.de")],
        )
        write_export(
            here.landing / "donations/donations_2021-12-31.csv",
            DONATIONS,
            [["S1", "A-000007", "erika@x.de", "01.02.2021", "50,00", "Sonstiges"]],
        )
        if run == "later":
            ingest_all(here, "run-1")
        write_export(here.landing / "erasure/erasure_2022-01-01.csv", ERASURE, [request])
        ingest_all(here, "run-2")
        assert query(here, "select member_id from raw.members") == [("A-000007",)], run
        assert query(here, "select email from raw.newsletter_activity") == [("hans@x.de",)], run
        # the donation names Hans: his, though given at an erased address (its hash stays, the address goes)
        assert query(here, "select member_id, email from raw.donations") == [("A-000007", None)], run


def test_a_member_id_or_an_address_with_a_tab_or_a_line_break_around_it_is_the_same_member(data_dir):
    """A member id or an address copied into a workbook cell may carry a tab, a line break or a line separator
    with it: it is stripped as Python strips it (`normalise_member_id`), so an erasure request written so finds
    the member, and a snapshot's id written so is the member the other exports name. DuckDB's trim() strips
    spaces only."""
    write_export(
        data_dir.landing / "members/members_2021-01-15.csv",
        MEMBERS,
        [
            member("A-000001", "erika@x.de"),
            member("A-000002", "hans@x.de"),
            member("A-000003", "otto@x.de"),
            member("A-000004\t", "anna@x.de"),
            member("A-000005", "keep@x.de"),
            member("A-000006", "paul@x.de"),
        ],
    )
    write_export(
        data_dir.landing / "erasure/erasure_2022-01-01.csv",
        ERASURE,
        [
            ["a-000001\t", "", "20.12.2021"],
            ['"\r\nA-000002 \n"', "", "20.12.2021"],
            ["A-000003\u2028\x0b", "", "20.12.2021"],
            [" A-000004 ", "", "20.12.2021"],
            ["", "Paul@X.de\t", "20.12.2021"],
        ],
    )
    results = ingest_all(data_dir)
    request = results["erasure_requests"][0]
    assert (request.rows_read, request.rows_loaded, request.rows_quarantined) == (5, 5, 0)
    requested = {h for (h,) in query(data_dir, "select member_id_hash from raw.erasure_requests")}
    assert requested == {keyed_hash(KEY, f"A-00000{n}") for n in (1, 2, 3, 4)} | {None}
    assert query(data_dir, "select email_hash from raw.erasure_requests where email_hash is not null") == [
        (keyed_hash(KEY, "paul@x.de"),)
    ]
    assert query(data_dir, "select member_id, member_id_hash from raw.members") == [
        ("A-000005", keyed_hash(KEY, "A-000005"))
    ]

"""Upgrades of the rows an earlier version loaded (pipelines/ingest/upgrade.py): once, before anything else."""

from __future__ import annotations

from pipelines.ingest import upgrade
from pipelines.ingest.privacy import keyed_hash
from pipelines.settings import open_warehouse
from tests.helpers import TEST_KEY, ingest_all, query, write_export
from tests.ingest.test_loader import MEMBERS, member

KEY = TEST_KEY.encode()


def as_an_earlier_version_left_it(data_dir, statements: list[tuple[str, list]]) -> None:
    """The warehouse as a version before the upgrade wrote it: the given changes, and no record of the upgrade
    (a connection of its own, which does not upgrade)."""
    con = open_warehouse(data_dir.warehouse)
    try:
        for sql, params in statements:
            con.execute(sql, params)
        con.execute("delete from meta.upgrades")
    finally:
        con.close()


def test_a_new_warehouse_is_upgraded_at_once_with_nothing_to_change(data_dir):
    assert query(
        data_dir, "select name, rows_changed, full_refresh_done_at from meta.upgrades order by name"
    ) == [
        (upgrade.MODEL_RULES_2026_12, 0, None),  # no model built yet: nothing to rebuild
        (upgrade.STRIPPED_IDENTITIES, 0, None),
    ]
    assert query(data_dir, "select count(*) from meta.upgrades") == [(2,)]  # once, not on every connection


def test_ids_and_addresses_an_earlier_version_left_untrimmed_are_stripped_rehashed_and_swept(data_dir):
    """A version before `rules.stripped` kept a tab or a line break around a member id or an address (DuckDB's
    trim() takes spaces only): the row was hashed with it, and matched no one. The upgrade strips the value,
    validates and hashes it again, in raw and in quarantine, sweeps what now names an erased person, and asks
    dbt for a full refresh once."""
    write_export(
        data_dir.landing / "members/members_2021-01-15.csv",
        MEMBERS,
        [
            member("A-000001", "erika@x.de"),
            member("A-000004", "anna@x.de"),
            member("A-000005", "keep@x.de"),
            member("A-000006", "otto@x.de", registered="31.02.2020"),  # quarantined: no such date
        ],
    )
    ingest_all(data_dir)
    tab = "\t"
    as_an_earlier_version_left_it(
        data_dir,
        [
            (
                "update raw.members set member_id = ?, member_id_hash = ? where member_id = 'A-000001'",
                [f"A-000001{tab}", keyed_hash(KEY, f"A-000001{tab}")],
            ),
            (
                "update raw.members set email = ?, email_valid = false, email_hash = null where member_id = 'A-000004'",
                ["anna@x.de\n"],
            ),
            (
                "update quarantine.members set member_id = ?, member_id_hash = ? where member_id = 'A-000006'",
                [f"A-000006{tab}", keyed_hash(KEY, f"A-000006{tab}")],
            ),
            # a tab inside an address is not stripped: nothing to change
            (
                "update raw.members set email = ?, email_valid = false, email_hash = null where member_id = 'A-000005'",
                ["kee\tp@x.de"],
            ),
            # Otto was erased after his row was quarantined: his request's hash missed the row's old one
            (
                "insert into meta.erased_identities values (?, 'member_id', date '2022-01-01', 'old', now())",
                [keyed_hash(KEY, "A-000006")],
            ),
        ],
    )
    assert query(
        data_dir,
        "select member_id, member_id_hash, email, email_valid, email_hash from raw.members order by 1",
    ) == [
        ("A-000001", keyed_hash(KEY, "A-000001"), "erika@x.de", True, keyed_hash(KEY, "erika@x.de")),
        ("A-000004", keyed_hash(KEY, "A-000004"), "anna@x.de", True, keyed_hash(KEY, "anna@x.de")),
        ("A-000005", keyed_hash(KEY, "A-000005"), "kee\tp@x.de", False, None),
    ]
    assert query(data_dir, "select count(*) from quarantine.members") == [(0,)]  # Otto's row: swept
    assert query(data_dir, "select name, rows_changed from meta.upgrades where rows_changed > 0") == [
        (upgrade.STRIPPED_IDENTITIES, 3)
    ]
    con = open_warehouse(data_dir.warehouse)
    try:
        assert upgrade.full_refresh_due(con)
        upgrade.full_refresh_done(con)
        assert not upgrade.full_refresh_due(con)
    finally:
        con.close()
    # once: a later connection changes nothing
    assert query(data_dir, "select count(*), count(full_refresh_done_at) from meta.upgrades") == [(2, 1)]


def test_a_failing_upgrade_leaves_the_warehouse_as_it_was(data_dir, monkeypatch):
    write_export(
        data_dir.landing / "members/members_2021-01-15.csv", MEMBERS, [member("A-000001", "erika@x.de")]
    )
    ingest_all(data_dir)
    as_an_earlier_version_left_it(
        data_dir,
        [("update raw.members set member_id = ? where member_id = 'A-000001'", ["A-000001\t"])],
    )

    def broken(con, *args):
        raise RuntimeError("the sweep broke")

    monkeypatch.setattr(upgrade.privacy, "sweep", broken)
    import pytest

    with pytest.raises(RuntimeError, match="the sweep broke"):
        query(data_dir, "select 1")
    con = open_warehouse(data_dir.warehouse)
    try:
        assert con.execute("select member_id from raw.members").fetchall() == [("A-000001\t",)]
        assert con.execute("select count(*) from meta.upgrades").fetchall() == [(0,)]
    finally:
        con.close()
    monkeypatch.undo()
    assert query(data_dir, "select member_id from raw.members") == [("A-000001",)]


def test_a_row_the_rules_would_now_quarantine_keeps_its_old_values(data_dir):
    """The upgrade does not make raw hold what a load would not: a key its file holds once more without the
    white space, or a required id that was nothing but white space, stays as it was (else the members'
    snapshots would hold a member twice, or one without an id, and every build would fail dbt's tests)."""
    write_export(
        data_dir.landing / "members/members_2021-01-15.csv",
        MEMBERS,
        [member("A-000001", "erika@x.de"), member("A-000002", "hans@x.de"), member("A-000003", "otto@x.de")],
    )
    ingest_all(data_dir)
    old = [("A-000001\t", keyed_hash(KEY, "A-000001\t")), ("\t", keyed_hash(KEY, "\t"))]
    as_an_earlier_version_left_it(
        data_dir,
        [
            (
                "update raw.members set member_id = ?, member_id_hash = ? where member_id = 'A-000002'",
                list(old[0]),
            ),
            (
                "update raw.members set member_id = ?, member_id_hash = ? where member_id = 'A-000003'",
                list(old[1]),
            ),
        ],
    )
    assert query(data_dir, "select member_id, member_id_hash from raw.members order by _line") == [
        ("A-000001", keyed_hash(KEY, "A-000001")),
        *old,
    ]
    assert query(data_dir, "select sum(rows_changed) from meta.upgrades") == [(0,)]


def test_a_check_in_list_rows_key_made_by_an_earlier_version_is_made_again(tmp_path):
    """An earlier version keyed a check-in list row by its parts trimmed only: with a tab after the order code,
    its key was not its registration's (tools.checkin_key). The upgrade keys it again."""
    from tests.ingest.test_tools import SAME_REGISTRATION, loaded_with_a_tab_after_an_order_code

    data_dir = loaded_with_a_tab_after_an_order_code(tmp_path)
    old = "ALUMNITAG2024|KX3PQ\t|1"
    as_an_earlier_version_left_it(
        data_dir,
        [
            (
                "update raw.pretix_checkin_list set registration_key = ?, registration_key_hash = ? "
                "where order_code = 'KX3PQ\t'",
                [old, keyed_hash(KEY, old)],
            )
        ],
    )
    assert query(data_dir, SAME_REGISTRATION) == [
        ("ALUMNITAG2024|KX3PQ|1", True),
        ("ALUMNITAG2024|LM7RT|1", True),
    ]
    assert query(data_dir, "select sum(rows_changed) from meta.upgrades") == [(1,)]


def test_a_warehouse_whose_models_were_built_by_an_earlier_version_rebuilds_them_once(data_dir):
    """The rules of some models changed (a re-registration between two snapshots starts a spell; an address whose
    holders all appear after the activity goes to the earliest): their incremental rows built before follow the
    old rules, so the next build is a full refresh, once."""
    write_export(data_dir.landing / "members/members_2021-01-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir)
    as_an_earlier_version_left_it(
        data_dir,
        [
            ("create schema if not exists intermediate", []),
            ("create table intermediate.int_member_spells (alumni_key varchar)", []),
        ],
    )
    assert query(data_dir, "select name, rows_changed from meta.upgrades where rows_changed > 0") == [
        (upgrade.MODEL_RULES_2026_12, 1)
    ]  # the first connection after the update
    con = open_warehouse(data_dir.warehouse)
    try:
        assert upgrade.full_refresh_due(con)
        upgrade.full_refresh_done(con)
    finally:
        con.close()
    query(data_dir, "select 1")  # a later connection: once
    con = open_warehouse(data_dir.warehouse)
    try:
        assert not upgrade.full_refresh_due(con)
    finally:
        con.close()

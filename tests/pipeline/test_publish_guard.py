"""The publish guard refuses mart columns that hold personal data: by the declarations of sources.py and
tools.py first (every column declared personal or hashed, and its keyed hash), by name parts second."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.ingest.catalogue import raw_tables


@pytest.fixture(scope="module")
def publish_module():
    from pipelines.dbt_prepare import ensure_manifest

    ensure_manifest()
    from pipelines.defs import publish

    return publish


def _marts(*columns: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(f"create table marts.fct_x ({', '.join(f'{c} varchar' for c in columns)})")
    return con


def test_every_declared_personal_or_hashed_column_is_refused(publish_module):
    declared = sorted(
        {c.name for s in raw_tables() for c in s.columns if c.personal}
        | {f"{c.name}_hash" for s in raw_tables() for c in s.hashed_columns}
    )
    con = _marts("alumni_key", "status_group", *declared)
    assert publish_module.leaked_columns(con) == [f"fct_x.{c}" for c in declared]
    # names the name-part net alone would not catch: the declarations do
    for name in ("attendee_name", "user_name", "registration_key", "ambassador_id", "reported_by_id_hash"):
        assert name in declared
        assert not publish_module.FORBIDDEN_COLUMNS.search(name)


def test_the_name_net_still_catches_a_renamed_copy_and_flags_pass(publish_module):
    con = _marts("contact_email", "has_email", "is_member_id_known", "campaign_id", "event_title")
    assert publish_module.leaked_columns(con) == ["fct_x.contact_email", "fct_x.event_title"]


def test_publish_refuses_and_leaves_the_old_file(publish_module, data_dir):
    data_dir.root.mkdir(parents=True)
    data_dir.analytics.write_bytes(b"previous")
    con = _marts("alumni_key", "attendee_name")
    with pytest.raises(RuntimeError, match="attendee_name"):
        publish_module.publish(con, data_dir)
    assert data_dir.analytics.read_bytes() == b"previous"


def test_publish_into_a_data_directory_whose_path_holds_a_quote(publish_module, tmp_path):
    from pipelines.ingest import connect
    from pipelines.settings import DataDir

    data_dir = DataDir(tmp_path / "o'neil" / "data")
    con = connect(data_dir)
    try:
        con.execute("create schema marts")
        con.execute("create table marts.fct_x as select 'Chemnitz' as region, 42 as alumni")
        published = publish_module.publish(con, data_dir)
    finally:
        con.close()
    assert "fct_x" in published
    with duckdb.connect(str(data_dir.analytics), read_only=True) as analytics:
        assert analytics.execute("select region, alumni from fct_x").fetchall() == [("Chemnitz", 42)]

"""Queries of dashboard/data.py on small hand-made analytics files."""

from __future__ import annotations

import duckdb


def test_recent_quarantine_is_newest_first_by_load_time(data_dir, monkeypatch):
    from dashboard import data, scope

    data_dir.root.mkdir(parents=True)
    con = duckdb.connect(str(data_dir.analytics))
    con.execute("create table meta_ingested_files (run_id varchar, file_name varchar, ingested_at timestamp)")
    con.execute(
        "create table meta_quarantine (run_id varchar, file_name varchar, line_number bigint, column_name varchar, "
        "message varchar)"
    )
    # run ids are random UUIDs: the older run's id sorts last
    con.execute(
        "insert into meta_ingested_files values ('ffff-old', 'events_2024-01-01.csv', '2024-01-02 08:00'), "
        "('0000-new', 'events_2024-02-01.csv', '2024-02-02 08:00')"
    )
    con.execute(
        "insert into meta_quarantine values ('ffff-old', 'events_2024-01-01.csv', 3, 'Beginn', 'old'), "
        "('0000-new', 'events_2024-02-01.csv', 7, 'Beginn', 'new')"
    )
    con.close()
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    monkeypatch.setattr(scope, "current", lambda: scope.EVERYTHING)
    assert list(data.recent_quarantine()["message"]) == ["new", "old"]

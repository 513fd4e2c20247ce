"""Queries of dashboard/data.py on small hand-made analytics files."""

from __future__ import annotations

import duckdb
import pytest


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


def _analytics(path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create table t as select ? as v", [value])
    con.close()


def test_the_queries_of_a_version_share_a_reader_that_a_new_file_replaces(tmp_path, monkeypatch):
    import os

    from dashboard import data
    from tests.helpers import in_threads

    monkeypatch.setattr(data, "_readers", {})
    path = tmp_path / "analytics.duckdb"
    _analytics(path, 1)
    first = data.version(path)

    with data._cursor(str(path), first) as cursor:
        assert cursor.execute("select v from t").fetchall() == [(1,)]
        reader = data._readers[(str(path), first)]
        # the pipeline publishes while a query on the old version still runs
        _analytics(tmp_path / "new.duckdb", 2)
        os.replace(tmp_path / "new.duckdb", path)
        os.utime(path, ns=(first[1], first[1]))  # even with the old file's time (a copy that kept it)
        second = data.version(path)
        assert second != first
        with data._cursor(str(path), second) as newer:
            # the new file, not the database DuckDB still has open for this path
            assert newer.execute("select v from t").fetchall() == [(2,)]
        assert cursor.execute("select v from t").fetchall() == [(1,)]  # the running query is not cut off
        assert reader.users == 1 and (str(path), first) in data._readers
    # the old version's reader closed as soon as its last query ended; the new one kept for the next
    assert list(data._readers) == [(str(path), second)]
    with pytest.raises(duckdb.ConnectionException):
        reader.con.execute("select 1")

    # queries from several sessions at once, each with its own cursor on the one reader
    results = []

    def query():
        for _ in range(20):
            with data._cursor(str(path), second) as cursor:
                results.append(cursor.execute("select v from t").fetchone()[0])

    errors = in_threads(query)
    assert not errors and results == [2] * 80 and len(data._readers) == 1
    with data._readers_lock:
        for key, kept in list(data._readers.items()):
            data._close_reader(key, kept)


def test_an_unused_reader_is_closed_after_a_while(tmp_path, monkeypatch):
    import time

    from dashboard import data

    monkeypatch.setattr(data, "_readers", {})
    monkeypatch.setattr(data, "IDLE_SECONDS", 0.05)
    path = tmp_path / "analytics.duckdb"
    _analytics(path, 1)
    with data._cursor(str(path), data.version(path)) as cursor:
        cursor.execute("select v from t").fetchall()
    reader = data._readers[(str(path), data.version(path))]
    deadline = time.monotonic() + 10
    while data._readers and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not data._readers  # nothing of the file held open once no one reads it
    with pytest.raises(duckdb.ConnectionException):
        reader.con.execute("select 1")


def test_a_query_is_kept_while_its_file_is_published_and_dropped_with_it(tmp_path, monkeypatch):
    """No time limit on the query cache: a page asked again a week later is answered without the database while
    the file is the same; a new file is asked anew, and the old one's results are dropped."""
    import os

    import streamlit as st
    from streamlit.runtime.caching import cache_utils

    from dashboard import data

    clock = [0.0]
    # Streamlit's cache clock (private, read when a cache is made): `st.cache_data.clear()` drops the caches, so
    # that `_query`'s is made anew on this clock (`_query.clear()` would keep the one made on the real clock)
    monkeypatch.setattr(cache_utils, "TTLCACHE_TIMER", lambda: clock[0])
    st.cache_data.clear()
    monkeypatch.setattr(data, "_readers", {})
    monkeypatch.setattr(data, "_published", {})
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(tmp_path))
    path = data.analytics_path()
    _analytics(path, 1)
    asked = []
    cursor = data._cursor

    def counted(path: str, file_version):
        asked.append(file_version)
        return cursor(path, file_version)

    monkeypatch.setattr(data, "_cursor", counted)
    try:
        first = data.version(path)
        assert data.query("select v from t")["v"].tolist() == [1]
        clock[0] += 7 * 24 * 3600.0
        assert data.query("select v from t")["v"].tolist() == [1]
        assert asked == [first]  # the second answer came from the cache

        _analytics(tmp_path / "new.duckdb", 2)
        os.replace(tmp_path / "new.duckdb", path)
        second = data.version(path)
        assert data.query("select v from t")["v"].tolist() == [2]
        # a session that read the version just before the file was replaced neither takes the old version back
        # nor empties the cache again
        data._forget_older(str(path), first)
        assert data._published[str(path)] == second
        assert data.query("select v from t")["v"].tolist() == [2]
        assert asked == [first, second]
        # the first version's result is gone from the cache: asked for by its key, it is computed again
        data._query("select v from t", (), str(path), first)
        assert asked == [first, second, first]
    finally:
        st.cache_data.clear()  # no cache on this test's clock left to the next tests
        with data._readers_lock:
            for key, kept in list(data._readers.items()):
                data._close_reader(key, kept)

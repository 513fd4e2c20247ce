"""Dagster's storage of a data directory (pipelines/dagster_storage.py): its event log keeps its connections,
stores what Dagster's own class stores, in the same files, and reads runs that class stored."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines import dagster_storage
from pipelines.dagster_storage import KEPT_SHARDS, KeptSqliteEventLogStorage
from pipelines.settings import prepare_dagster_home
from tests.helpers import in_threads


@dg.asset
def counted() -> int:
    return 1


@dg.asset_check(asset=counted)
def counted_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _materialize(instance) -> str:
    result = dg.materialize([counted, counted_is_positive], instance=instance)
    assert result.success
    return result.run_id


def _summary(storage, run_id: str) -> list[tuple[str, str | None]]:
    """What a run's event log holds: each event's type and step, in order."""
    return [
        (entry.dagster_event.event_type_value if entry.dagster_event else "log", entry.step_key)
        for entry in (record.event_log_entry for record in storage.get_records_for_run(run_id).records)
    ]


@pytest.fixture
def home(data_dir, monkeypatch):
    path = prepare_dagster_home(data_dir)
    monkeypatch.setenv("DAGSTER_HOME", str(path))
    return path


def test_the_data_directorys_instance_keeps_its_event_log_connections(home):
    with dg.DagsterInstance.get() as instance:
        events = instance.event_log_storage
        assert isinstance(events, KeptSqliteEventLogStorage)
        run_id = _materialize(instance)
        # Dagster's layout under DAGSTER_HOME: the runs, one event file per run beside the index
        assert (home / "history" / "runs.db").is_file()
        assert (home / "history" / "runs" / f"{run_id}.db").is_file()
        assert (home / "history" / "runs" / "index.db").is_file()
        assert "index" in events._engines and run_id in events._engines
        assert instance.get_latest_materialization_event(dg.AssetKey("counted")).run_id == run_id
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
    assert events._engines == {}  # closed with the instance


def test_runs_stored_by_either_class_are_read_alike_by_both(home):
    ours = (home / "dagster.yaml").read_text(encoding="utf-8")
    with dg.DagsterInstance.get() as instance:
        kept_run = _materialize(instance)
    # the same directory with Dagster's default storage, as a data directory was before this class
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        stock_run = _materialize(instance)
    (home / "dagster.yaml").write_text(ours, encoding="utf-8")
    base = str(home / "history" / "runs")
    stock = SqliteEventLogStorage(base)
    kept = KeptSqliteEventLogStorage(base)
    try:
        for run_id in (kept_run, stock_run):
            assert _summary(kept, run_id) == _summary(stock, run_id)
            assert "ASSET_MATERIALIZATION" in dict(_summary(kept, run_id))
            assert "ASSET_CHECK_EVALUATION" in dict(_summary(kept, run_id))
        # the index, asked across runs: both see both materialisations and both check results
        for storage in (kept, stock):
            records = storage.fetch_materializations(dg.AssetKey("counted"), limit=10).records
            assert {record.run_id for record in records} == {kept_run, stock_run}
            evaluations = storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dg.AssetKey("counted"), "counted_is_positive"), limit=10
            )
            assert {evaluation.run_id for evaluation in evaluations} == {kept_run, stock_run}
    finally:
        kept.dispose()
        stock.dispose()


def test_engines_are_kept_for_a_few_shards_and_closed_when_evicted(tmp_path, monkeypatch):
    disposed = []
    storage = KeptSqliteEventLogStorage(str(tmp_path / "runs"))
    try:
        with storage.index_connection():
            pass
        index_engine = storage._engines["index"]
        for n in range(KEPT_SHARDS + 3):
            with storage.run_connection(f"run-{n}"):
                pass
            engine = storage._engines[f"run-{n}"]
            monkeypatch.setattr(engine, "dispose", lambda *a, _n=n, **k: disposed.append(_n))
        assert len(storage._engines) == KEPT_SHARDS
        # the most recently used stay; the index, used first, went with the oldest runs
        assert list(storage._engines) == [f"run-{n}" for n in range(3, KEPT_SHARDS + 3)]
        assert disposed == [0, 1, 2]  # each evicted run's engine closed
        with storage.index_connection():
            pass
        assert storage._engines["index"] is not index_engine  # made anew after its eviction
        assert disposed == [0, 1, 2, 3]
    finally:
        storage.dispose()
    assert storage._engines == {}


def test_a_wipe_closes_the_connections_before_deleting_the_run_files(home, monkeypatch):
    with dg.DagsterInstance.get() as instance:
        run_id = _materialize(instance)
        events = instance.event_log_storage
        run_file = home / "history" / "runs" / f"{run_id}.db"
        engine = events._engines[run_id]
        file_when_closed = []
        close = engine.dispose
        monkeypatch.setattr(
            engine, "dispose", lambda *a, **k: (file_when_closed.append(run_file.exists()), close(*a, **k))
        )
        instance.wipe()
        assert file_when_closed == [True]  # closed while its file was still there
        assert not run_file.exists()
        assert set(events._engines) <= {"index"}  # the index is emptied (and so opened) after the files went
        again = _materialize(instance)  # a new run after the wipe stores as before
        assert "ASSET_MATERIALIZATION" in dict(_summary(events, again))


def test_a_forked_process_does_not_use_its_parents_connections(home, monkeypatch):
    with dg.DagsterInstance.get() as instance:
        events = instance.event_log_storage
        _materialize(instance)
        parents = dict(events._engines)
        closed = []
        for engine in parents.values():
            monkeypatch.setattr(engine, "dispose", lambda close=True, _c=closed: _c.append(close))
        monkeypatch.setattr(dagster_storage, "getpid", lambda: -1)  # as in a forked child
        run_id = _materialize(instance)
        assert closed and not any(closed)  # the parent's connections forgotten, not closed
        assert all(engine is not parents.get(shard) for shard, engine in events._engines.items())
        assert "ASSET_MATERIALIZATION" in dict(_summary(events, run_id))
        # nor closed when the child ends
        kept_in_child = dict(events._engines)
        monkeypatch.setattr(dagster_storage, "getpid", lambda: -2)
        events.dispose()
        assert not any(closed) and events._engines == {}
        for engine in kept_in_child.values():
            engine.dispose()


@pytest.mark.parametrize("reader_class", [KeptSqliteEventLogStorage, SqliteEventLogStorage])
def test_a_running_runs_events_reach_the_uis_watcher(home, reader_class):
    # the Dagster UI shows a running run's log as its events come: its storage watches the run's file, in its
    # own process, while the run's process stores the events through a kept connection
    import time

    base = str(home / "history" / "runs")
    writer, reader = KeptSqliteEventLogStorage(base), reader_class(base)
    try:
        with dg.DagsterInstance.get() as instance:
            run_id = _materialize(instance)  # a run with a file already there, as a started run has
        seen = []
        reader.watch(run_id, None, lambda entry, cursor: seen.append(entry.user_message))
        time.sleep(0.5)  # the watcher's thread started
        entries = [
            record.event_log_entry._replace(user_message=f"live {n}")
            for n, record in enumerate(writer.get_records_for_run(run_id).records[:3])
        ]
        for entry in entries:
            writer.store_event(entry)
        deadline = time.monotonic() + 20
        while [m for m in seen if m.startswith("live")] != ["live 0", "live 1", "live 2"]:
            assert time.monotonic() < deadline, f"the watcher saw {seen}"
            time.sleep(0.1)
    finally:
        reader.dispose()
        writer.dispose()


def test_threads_read_through_the_kept_connections(home):
    # the Dagster UI reads and watches runs from several threads
    with dg.DagsterInstance.get() as instance:
        run_id = _materialize(instance)
        events = instance.event_log_storage
        expected = _summary(events, run_id)

        def read():
            for _ in range(20):
                assert _summary(events, run_id) == expected

        assert in_threads(read) == []

"""Dagster's SQLite storage for the data directory, with the event log's connections kept open.

Dagster's SQLite event log makes a new SQLAlchemy engine, and with it a new SQLite connection, for every
statement group: each event a run stores (about 820 in a month's run: the steps, dbt's models and tests, their
checks) costs an engine, one to three connections and the compilation of its statements anew (SQLAlchemy
caches compiled statements per engine), and each asset event asks SQLite whether a table exists. Storing a
month's events again took 6.7 s (scale 1) and 4.9 s (scale 10) with Dagster's class, 1.6 s and 1.1 s with this
one (`make bench`, docs/benchmarks.md, tenth pass). The files, tables and rows are Dagster's own: the layout
of a data directory's `dagster_home` does not change, and runs stored by either class are read by the other.

What stays as in Dagster's class: every statement group is one transaction under the storage's lock, the
index shard and one SQLite file per run. What is kept: one engine per shard (a small pool, since Dagster's
schema check holds two connections at once), for the few most recently used shards (the Dagster UI reads many
runs; an evicted shard's engine is closed); engines are not shared with a forked process.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from os import getpid, utime

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# the index shard and the run being written, with room for a reader of a few other runs
KEPT_SHARDS = 4


class KeptSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose engines (and their connections) are kept per shard instead of made anew for
    every statement group."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = getpid()
        self._index_tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)
        # reentrant, so that a wipe can hold it from closing the engines to deleting the files (Dagster's wipe
        # then empties the index through _connect, which takes it again)
        self._db_lock = threading.RLock()

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> KeptSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _forget_if_forked(self) -> None:
        """A forked child must not use its parent's connections, nor close them: forget them."""
        if self._engines_pid != getpid():
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines.clear()
            self._engines_pid = getpid()

    def _shard_engine(self, shard: str) -> Engine:
        """The shard's engine, made on first use; called with the storage's lock held."""
        self._forget_if_forked()
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=4,
                # used by whichever thread holds the storage's lock (the UI's event watcher, for one)
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
        self._engines[shard] = engine
        while len(self._engines) > KEPT_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._shard_engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def store_event(self, event) -> None:
        super().store_event(event)
        # Dagster's watcher of a running run (the UI's live log, in another process too) waits for the
        # run's file to change. A kept connection leaves the rows in SQLite's write-ahead log, which reaches
        # the file only at a checkpoint (Dagster's class checkpoints when it closes its connection after each
        # event): the file's time is what tells the watcher. Only here, where rows are written: the
        # watcher's own reads must not wake it again.
        if event.run_id:  # not a runless event (run id ""), which no run's watcher waits for
            with contextlib.suppress(FileNotFoundError):
                utime(self.path_for_shard(event.run_id))

    def has_table(self, table_name: str) -> bool:
        # asked for every asset event and check result; Dagster's class opens a new engine each time. A table
        # once there stays (Dagster's migrations add tables); one not there yet is asked again.
        if table_name in self._index_tables_seen:
            return True
        exists = super().has_table(table_name)
        if exists:
            self._index_tables_seen.add(table_name)
        return exists

    def _close_engines(self) -> None:
        with self._db_lock:
            self._forget_if_forked()
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        # no connection may stay open on, or be opened to, a run file being deleted
        with self._db_lock:
            self._close_engines()
            super().wipe()

    def upgrade(self) -> None:
        with self._db_lock:
            self._close_engines()
            self._index_tables_seen.clear()
        super().upgrade()

    def dispose(self) -> None:
        super().dispose()  # first the UI's watcher, which could open an engine again
        self._close_engines()


class AlumniSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (runs, event log, schedules under one base directory, the same files),
    with the event log above. Named in dagster.yaml as `storage: custom:`."""

    def __init__(self, base_dir: str, inst_data=None):
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = KeptSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> AlumniSqliteStorage:
        # Dagster's classmethod names its own class; this one keeps the subclass
        return cls.from_local(inst_data=inst_data, **config_value)

"""Dagster's SQLite storage for the data directory, with the event log's connections kept open.

Dagster's SQLite event log makes a new SQLAlchemy engine, and with it a new SQLite connection, for every
statement group: each event a run stores (820 in a month's run at scale 1: the steps, dbt's models and tests,
their checks) costs an engine, one to three connections and the compilation of its statements anew
(SQLAlchemy caches compiled statements per engine), and each asset event asks SQLite whether a table exists.
Storing the 820 events of a month's run again took 6.3-9.8 s with Dagster's class and 1.5-2.8 s with this one
(docs/benchmarks.md, tenth pass). The files, tables and rows are Dagster's own: the layout of a data
directory's `dagster_home` does not change, and runs stored by either class are read by the other.

What stays as in Dagster's class: every statement group is one transaction under the storage's lock, the
index shard and one SQLite file per run. What is kept: one engine per shard (a small pool, since Dagster's
schema check holds two connections at once), for the few most recently used shards (the Dagster
UI reads many runs; an evicted shard's engine is closed); engines are not shared with a forked process.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Iterator

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
        self._engines_pid = os.getpid()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> KeptSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, made on first use; called with the storage's lock held."""
        if self._engines_pid != os.getpid():
            # a forked child must not use its parent's connections: forget them without closing them
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines.clear()
            self._engines_pid = os.getpid()
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
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # asked for every asset event and check result; Dagster's class opens a new engine each time. A table
        # once there stays (Dagster's migrations add tables); one not there yet is asked again.
        if table_name in self._tables:
            return True
        exists = super().has_table(table_name)
        if exists:
            self._tables.add(table_name)
        return exists

    def _close_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_engines()  # before the run files are deleted: no connection may write to a deleted file
        super().wipe()

    def upgrade(self) -> None:
        self._close_engines()
        self._tables.clear()
        super().upgrade()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


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

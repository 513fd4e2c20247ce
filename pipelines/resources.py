"""Dagster resources: the warehouse (one DuckDB file, one writer) and dbt."""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.ingest import connect
from pipelines.settings import DataDir


class WarehouseResource(dg.ConfigurableResource):
    """warehouse.duckdb under the data directory (default: ALUMNI_DATA_DIR when the run starts). Connections are
    short-lived: dbt, a subprocess, needs the file lock between our steps."""

    data_dir: str | None = None

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        # One writer of warehouse.duckdb at a time, whoever starts the run (CLI, sensor, schedule, UI):
        # the lock is held for the whole run and released by the OS if the process dies.
        with writer_lock(self.data):
            if context.run_id:  # the run's record exists from its start: a killed run is found later
                from pipelines.ingest import guards

                with self.connect() as con:
                    guards.start_run_record(con, context.run_id)
            yield self

    @property
    def data(self) -> DataDir:
        return DataDir.resolve(self.data_dir)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.data)
        try:
            yield con
        finally:
            con.close()


# Lock files this process holds: the CLI holds the lock around its in-process run, whose resource takes it too.
_HELD: set[str] = set()


class WriterLockHeld(RuntimeError):
    """Another process holds the writer lock of this data directory."""


@contextmanager
def writer_lock(data_dir: DataDir) -> Iterator[None]:
    """One writer of warehouse.duckdb at a time, whoever starts the run (CLI, sensor, schedule, UI)."""
    data_dir.root.mkdir(parents=True, exist_ok=True)
    key = str(data_dir.lock_file)
    if key in _HELD:  # this process holds it already
        yield
        return
    with open(data_dir.lock_file, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WriterLockHeld(
                f"another pipeline run is writing {data_dir.warehouse}; runs are serialised - try again later"
            ) from exc
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


class AlumniDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version from the installed dbt-core package (pinned in
    pyproject.toml) instead of running `dbt --version` in a subprocess before every build (STACK.md pitfall 3:
    about two seconds of every run). The warehouse is the one of the data directory (default: ALUMNI_DATA_DIR
    when dbt runs), passed to profiles.yml as a dbt var."""

    data_dir: str | None = None

    def cli(self, args, **kwargs):
        return super().cli([*args, "--vars", warehouse_vars(DataDir.resolve(self.data_dir))], **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def warehouse_vars(data_dir: DataDir) -> str:
    """The dbt vars that point profiles.yml at this data directory's warehouse."""
    return json.dumps({"warehouse_path": str(data_dir.warehouse)})


def dbt_executable() -> str:
    """dbt next to this interpreter: works without an activated venv (STACK.md pitfall 2)."""
    return str(Path(sys.executable).parent / "dbt")


# The data directory is resolved when a run starts (ALUMNI_DATA_DIR), not when the code location loads.
defs = dg.Definitions(resources={"warehouse": WarehouseResource()})

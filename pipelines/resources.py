"""Dagster resources: the warehouse (one DuckDB file, one writer) and dbt."""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from pipelines import freshness
from pipelines.ingest import connect
from pipelines.lock import writer_lock
from pipelines.settings import DataDir


class WarehouseResource(dg.ConfigurableResource):
    """warehouse.duckdb under the data directory (default: ALUMNI_DATA_DIR when the run starts).

    In a run, one connection serves the steps one after another (the job runs its steps in one process): a
    connection of each step's own cost about 25-50 ms to open (DuckDB's database, the attach, the schema checked,
    the keyed hash's macro) and a checkpoint to close, about 35 times in every run (docs/benchmarks.md,
    thirty-third pass). It is closed where another writer needs the file, before dbt (a process of its own) and
    before the rewrite after an erasure (`release`), when a step fails inside a `connect` block (whatever the
    failure left in it goes with it, and the next block opens a new one), and at the run's end. Blocks are not
    nested, and `release` is not called inside one: either would close the connection the outer block uses.
    Outside a run, each block opens a connection and closes it."""

    data_dir: str | None = None
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _in_run: bool = PrivateAttr(default=False)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        # One writer of warehouse.duckdb at a time, whoever starts the run (CLI, sensor, schedule, UI):
        # the lock is held for the whole run and released by the OS if the process dies.
        with writer_lock(self.data):
            self._in_run = True
            try:
                run_id = context.run.run_id if context.run else None
                if run_id:  # the run's record exists from its start: a killed run is found later
                    from pipelines.ingest import guards

                    with self.connect() as con:
                        guards.start_run_record(con, run_id)
                    freshness.start_build(self.data, run_id)
                yield self
            finally:
                self._in_run = False
                self.release()

    @property
    def data(self) -> DataDir:
        return DataDir.resolve(self.data_dir)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self._in_run:
            con = connect(self.data)
            try:
                yield con
            finally:
                con.close()
            return
        if self._held is None:
            self._held = connect(self.data)
        try:
            yield self._held
        except BaseException:
            with suppress(duckdb.Error):  # the step's own error is the one to report
                self.release()  # whatever the failure left in the connection goes with it
            raise

    def release(self) -> None:
        """Close the run's connection (if one is open): the file is free for another process or a rewrite."""
        held, self._held = self._held, None
        if held is not None:
            held.close()


class AlumniDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version from the installed dbt-core package (pinned in
    pyproject.toml) instead of running `dbt --version` in a subprocess before every build (STACK.md pitfall 3:
    about two seconds of every run). The warehouse is the one of the data directory (default: ALUMNI_DATA_DIR
    when dbt runs): dbt runs in that directory (`DBT_IN_DIR`, pipelines/dbt_in_dir.py), where profiles.yml's
    relative path names it."""

    data_dir: str | None = None

    def cli(self, args, **kwargs):
        return super().cli([str(DataDir.resolve(self.data_dir).root), *args], **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """No dbt adapter in this process. dagster-dbt makes one before every build, loading dbt's project, the
        profile and every macro (2.9 s of py-spy's samples; about 1-1.5 s of a month's run at scale 1 measured,
        docs/benchmarks.md, eleventh pass), only to fetch row counts and column metadata for the
        materialisations (`fetch_row_counts()`, `fetch_column_metadata()`), which this project does not ask
        for. dagster-dbt passes None on to the invocation whenever the adapter cannot be made; the build runs in
        dbt's own process either way."""
        return None


def dbt_executable() -> str:
    """dbt next to this interpreter: works without an activated venv (STACK.md pitfall 2)."""
    return str(Path(sys.executable).parent / "dbt")


# dbt as dagster-dbt starts it: this interpreter running pipelines/dbt_in_dir.py, whose first argument (put there
# by AlumniDbtCliResource.cli) is the data directory to run dbt in. Not a dbt var: a var is part of what dbt's saved
# parse is valid for, and a path per data directory made every full build parse the whole project again.
DBT_IN_DIR = {"dbt_executable": sys.executable, "global_config_flags": ["-m", "pipelines.dbt_in_dir"]}


# The data directory is resolved when a run starts (ALUMNI_DATA_DIR), not when the code location loads.
defs = dg.Definitions(resources={"warehouse": WarehouseResource()})

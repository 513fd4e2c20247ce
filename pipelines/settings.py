"""Where everything lives, in one place: data directory, databases, secrets, Dagster home, dbt project.

Every entry point (CLI, Dagster definitions, dashboard, tests) resolves paths through here, so switching the
data directory is one environment variable (`ALUMNI_DATA_DIR`) and nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# What dbt's project is made of: a change of any makes a new parse (dbt_prepare.py) and a new build (freshness.py).
DBT_SOURCE_DIRS = ("models", "macros", "seeds", "tests", "snapshots")
DBT_SOURCE_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")
DAGSTER_YAML = REPO_ROOT / "dagster.yaml"


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for every connection of a run: ingest, the rewrite after erasure and dbt (whose
    profiles.yml reads the same variable with the same default). DuckDB's own default is 80 % of the machine;
    the warehouse is a file, so DuckDB can evict and spill within this limit instead."""
    return os.environ.get("ALUMNI_DUCKDB_MEMORY_LIMIT", "2GB")


# Rows per row group of everything written into warehouse.duckdb: by the ingest, the rewrite after erasure and
# dbt (profiles.yml, the same number). DuckDB's default is 122,880; a multiple of its vector size, 2,048. DuckDB
# takes it only as an option of ATTACH and keeps it nowhere, and a connection with another size re-packs the
# row groups of every table at its first checkpoint: every writer attaches the file with this one. A file's
# insert writes its whole row groups straight into the database file and sends the rest of its rows through the
# write-ahead log and a checkpoint; with the default, a members export at scale 10 (about 140,000 rows) sent a
# sixth of its rows that way, and one core compressed the whole row group (docs/benchmarks.md, issue 13,
# thirtieth pass).
ROW_GROUP_SIZE = 30_720


def attach_warehouse(con, path, read_only: bool = False, alias: str = "warehouse") -> None:
    """Attach warehouse.duckdb (or its copy) to the in-memory connection `con` with ROW_GROUP_SIZE, and, for the
    alias `warehouse` (the name opening the file by its path gives), make it the default database, with what does
    not fit in memory spilled beside it (`<path>.tmp`, as for a database opened by its path)."""
    quoted = str(path).replace("'", "''")
    options = "READ_ONLY" if read_only else f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}"
    con.execute(f"attach '{quoted}' as {alias} ({options})")
    if alias == "warehouse":
        con.execute("use warehouse")
        con.execute(f"set temp_directory = '{quoted}.tmp'")


def open_warehouse(path, read_only: bool = False):
    """A connection to warehouse.duckdb (at `path`) as every writer of it in this process opens one: attached
    with ROW_GROUP_SIZE, in UTC (every timestamp here is naive UTC; `compacted_at` and the sweep's `swept_at` are
    compared, which in a zone east of UTC would look hours apart), within `duckdb_memory_limit()`."""
    import duckdb

    con = duckdb.connect()
    attach_warehouse(con, path, read_only=read_only)
    con.execute("set timezone = 'UTC'")
    con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
    return con


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike | None = None) -> DataDir:
        raw = explicit or os.environ.get("ALUMNI_DATA_DIR") or "data"
        return cls(Path(raw).expanduser().resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def analytics(self) -> Path:
        return self.root / "analytics.duckdb"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def key_file(self) -> Path:
        return self.secrets / "pseudonym.key"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def lock_file(self) -> Path:
        return self.root / ".pipeline.lock"

    def export_env(self) -> None:
        """Make this directory the one every component (Dagster, dbt, dashboard) sees."""
        os.environ["ALUMNI_DATA_DIR"] = str(self.root)
        os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(self))


def prepare_dagster_home(data_dir: DataDir) -> Path:
    """DAGSTER_HOME must be absolute and hold dagster.yaml, or runs go to an ephemeral instance."""
    home = data_dir.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    wanted = DAGSTER_YAML.read_text(encoding="utf-8")
    if not target.exists() or target.read_text(encoding="utf-8") != wanted:
        target.write_text(wanted, encoding="utf-8")
    return home

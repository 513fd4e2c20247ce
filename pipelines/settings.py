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
DAGSTER_YAML = REPO_ROOT / "dagster.yaml"


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for every connection of a run: ingest, the rewrite after erasure and dbt (whose
    profiles.yml reads the same variable with the same default). DuckDB's own default is 80 % of the machine;
    the warehouse is a file, so DuckDB can evict and spill within this limit instead."""
    return os.environ.get("ALUMNI_DUCKDB_MEMORY_LIMIT", "2GB")


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

"""Make dbt's manifest before Dagster imports the definitions (STACK.md pitfall 1), and build the docs site.

`python -m pipelines.dbt_prepare` parses the project when the manifest is missing or older than any model,
seed, macro or project file; `--docs` also runs `dbt docs generate` against the current warehouse.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from pipelines.resources import dbt_executable
from pipelines.settings import DBT_PROJECT_DIR, DBT_SOURCE_DIRS, DBT_SOURCE_FILES, DataDir

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def _newest_source_mtime() -> float:
    newest = 0.0
    for folder in DBT_SOURCE_DIRS:
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    for name in DBT_SOURCE_FILES:
        if (DBT_PROJECT_DIR / name).is_file():
            newest = max(newest, (DBT_PROJECT_DIR / name).stat().st_mtime)
    return newest


def run_dbt(args: list[str], data_dir: DataDir | None = None) -> subprocess.CompletedProcess:
    """dbt with `args`; with `data_dir`, in that data directory, on its warehouse (pipelines/dbt_in_dir.py).
    dbt's usage events are off in dbt_project.yml, for this and every other invocation of dbt."""
    command = (
        [dbt_executable()]
        if data_dir is None
        else [sys.executable, "-m", "pipelines.dbt_in_dir", str(data_dir.root)]
    )
    return subprocess.run(
        [
            *command,
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def ensure_manifest(force: bool = False) -> None:
    if not force and MANIFEST.exists() and MANIFEST.stat().st_mtime >= _newest_source_mtime():
        return
    result = run_dbt(["parse", "--quiet"])
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", action="store_true", help="also build the dbt docs site")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    ensure_manifest()
    if args.docs:
        data_dir = DataDir.resolve(args.data_dir)
        result = run_dbt(["docs", "generate"], data_dir)
        print(result.stdout[-2000:])
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())

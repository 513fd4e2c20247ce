"""`make dagster`: the Dagster UI (asset graph, runs, checks, sensor, schedule) on the same definitions.

Sets DAGSTER_HOME under the data directory (so the UI shows the CLI's runs too), prepares dbt's manifest,
then starts `dagster dev` as a child process that stops with Ctrl+C.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pipelines.dbt_prepare import ensure_manifest
from pipelines.settings import DataDir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args()
    data_dir = DataDir.resolve(args.data_dir)
    data_dir.export_env()
    ensure_manifest()
    dagster = str(Path(sys.executable).parent / "dagster")
    print(f"Dagster UI: http://localhost:{args.port}/  (data: {data_dir.root})", flush=True)
    try:
        return subprocess.call(
            # loopback only (CONTRACTS.md §1): the UI starts runs and shows logs, and has no sign-in
            [dagster, "dev", "-m", "pipelines.definitions", "-p", str(args.port), "-h", "127.0.0.1"]
        )
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""`alumni dashboard`: serve the Streamlit app on the published analytics file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DataDir

APP = Path(__file__).resolve().parent / "streamlit_app.py"


def command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        "0.0.0.0",
    ]


def serve(data_dir: DataDir, port: int = 8501) -> int:
    env = dict(os.environ, ALUMNI_DATA_DIR=str(data_dir.root))
    if not data_dir.analytics.exists():
        print(f"note: {data_dir.analytics} does not exist yet; the dashboard will say how to create it.")
    print(f"Dashboard: http://localhost:{port}/  (Ctrl+C to stop)", flush=True)
    try:
        return subprocess.call(command(port), env=env)
    except KeyboardInterrupt:
        return 0

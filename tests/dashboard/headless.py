"""Serving the dashboard to a headless browser: for the browser tests and the page benchmark.

Chromium as root on a closed network needs these flags (STACK.md pitfall 12): without the networking ones it
keeps trying to reach Google's hosts.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipelines.settings import DataDir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]  # fmt: skip
# url path -> page title (German, the default language)
PAGES = {"": "Strategie", "netzwerk": "Netzwerk", "engagement": "Engagement", "clubs": "Clubs",
         "datenqualitaet": "Datenqualität"}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    data_dir: DataDir, timeout: float = 60, env: dict | None = None, port: int | None = None
) -> tuple[subprocess.Popen, int]:
    """`alumni dashboard` on a free port, in its own process group; returns once it answers its health check.

    `env`: extra environment (the sign-in settings); `port`: a port chosen beforehand (the public URL has it).
    """
    port = port or free_port()
    exe = Path(sys.executable).parent / "alumni"
    cmd = [str(exe), "dashboard", "--data-dir", str(data_dir.root), "--port", str(port)]
    return serve(cmd, port, timeout, env), port


def serve(
    cmd: list[str], port: int, timeout: float = 60, env: dict | None = None, cwd: str | None = None
) -> subprocess.Popen:
    """A Streamlit server started by `cmd` on `port`, in its own process group; returned once it answers its
    health check (stopped, and an error raised, if it does not within `timeout` seconds)."""
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env=dict(os.environ, **(env or {})), cwd=cwd,
    )  # fmt: skip
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"{cmd[0]} on port {port} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=30)

"""`alumni dashboard`: serve the Streamlit app on the published analytics file.

Loopback (`127.0.0.1`) by default, in local mode (no sign-in, everything shown). Any other address only with
sign-in configured (CONTRACTS.md §1): otherwise it refuses with exit code 2 and says what to set.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

from dashboard import auth
from pipelines.settings import DataDir

APP = Path(__file__).resolve().parent / "streamlit_app.py"
EXIT_REFUSED = 2


def command(
    port: int, host: str = "127.0.0.1", secrets_file: Path | None = None, app: Path = APP
) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        host,
        # readers see a product: no "Deploy", no developer menu
        "--client.toolbarMode",
        "viewer",
        # and the app's code does not change while it is served: no watching of its files. Streamlit's watcher
        # resolved the path of every imported module (thousands) after each run that had imported a new one, on
        # the server's event loop: 0.12-0.36 s after a tab's first run and each page's first visit, before the
        # page's last messages went out (docs/benchmarks.md, issue 13, twenty-first pass).
        "--server.fileWatcherType",
        "none",
        # Light, whatever the reader's system prefers: the charts carry the light theme's look themselves
        # (dashboard/charts.py, TEMPLATE), which the browser would otherwise apply to every chart on every draw.
        "--theme.base",
        "light",
    ]
    if secrets_file is not None:
        cmd += ["--secrets.files", str(secrets_file)]
    return cmd


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(data_dir: DataDir, port: int = 8501, host: str = "127.0.0.1") -> int:
    try:
        config = auth.oidc_config()
    except auth.ConfigError as exc:
        print(f"alumni dashboard: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if config is None and not is_loopback(host):
        print(
            f"alumni dashboard: refusing to serve on {host} without sign-in: every figure would be open to "
            f"whoever reaches the port.\n  Configure sign-in with your identity provider (OpenID Connect): set "
            f"{', '.join(auth.ENV.values())}\n  and list readers in {auth.roles_path(data_dir)} "
            "(see README, 'Sign-in'). Or serve on 127.0.0.1 (local mode).",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    env = dict(os.environ, ALUMNI_DATA_DIR=str(data_dir.root))
    if not data_dir.analytics.exists():
        print(f"note: {data_dir.analytics} does not exist yet; the dashboard will say how to create it.")
    secrets_file = None
    if config is not None:
        secrets_file = auth.write_secrets(data_dir, config)
        if not auth.roles_path(data_dir).exists():
            print(f"note: {auth.roles_path(data_dir)} does not exist: signed-in readers will see no figure.")
        print(f"Dashboard with sign-in: {config['public_url']}  (Ctrl+C to stop)", flush=True)
    else:
        print(f"Dashboard (local mode): http://localhost:{port}/  (Ctrl+C to stop)", flush=True)
    try:
        return subprocess.call(command(port, host, secrets_file), env=env)
    except KeyboardInterrupt:
        return 0

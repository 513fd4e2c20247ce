"""Write dashboard/assets/plotly_template.json: the look Streamlit's theme gives a Plotly chart, as a template.

With `st.plotly_chart(..., theme="streamlit")` (Streamlit's default) the browser merges the theme into every
figure each time it prepares one (twice per chart drawn), and plotly.js took about 40 % longer: on a page of
seven charts about a quarter of a later visit (docs/benchmarks.md, issue 13, eighth pass). The dashboard's
charts therefore carry the theme's result themselves (`charts.TEMPLATE`) and are drawn with `theme=None`.
This script asks the real frontend what that result is: it serves a one-chart app with the dashboard's own
server options (`dashboard.serve.command`, light theme), reads the template plotly.js was given, and writes it.
`tests/dashboard/test_browser.py` checks the file against the installed Streamlit, so an upgrade that changes
the theme says so.

    .venv/bin/python scripts/plotly_template.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.charts import TEMPLATE_FILE  # noqa: E402
from dashboard.serve import command  # noqa: E402

PROBE = """
import plotly.express as px
import streamlit as st

st.plotly_chart(px.line(x=[1, 2, 3], y=[3, 1, 2]), key="probe")  # theme="streamlit": Streamlit's default
"""
TEMPLATE_JS = (
    "() => { const g = document.querySelector('.js-plotly-plot'); return g && g.layout && g.layout.template }"
)


def capture(browser) -> dict:
    """The template Streamlit's theme gives a chart, read from plotly.js in `browser` (a Playwright browser)."""
    from tests.dashboard.headless import free_port, serve, stop

    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "probe.py"
        app.write_text(PROBE, encoding="utf-8")
        port = free_port()
        process = serve(command(port, app=app), port, cwd=folder)
        try:
            page = browser.new_page()
            try:
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function(TEMPLATE_JS, timeout=60_000)
                return page.evaluate(TEMPLATE_JS)
            finally:
                page.close()
        finally:
            stop(process)


def normal(template: dict) -> str:
    return json.dumps(template, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    from playwright.sync_api import sync_playwright

    from tests.dashboard.headless import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            template = capture(browser)
        finally:
            browser.close()
    TEMPLATE_FILE.write_text(normal(template), encoding="utf-8")
    print(f"wrote {TEMPLATE_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

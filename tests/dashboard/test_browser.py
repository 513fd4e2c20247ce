"""The served dashboard in a real headless Chromium (Debian's), on the demo data, with screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dashboard.headless import CHROMIUM, CHROMIUM_ARGS, PAGES, start, stop
from pipelines.settings import DataDir
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is missing: `make test` installs Debian's chromium (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed (outside CI only)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def open_page(page, port: int, path: str, title: str, external: list[str]) -> None:
    page.goto(f"http://127.0.0.1:{port}/{path}")
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    if path != "datenqualitaet":
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()
    assert page.get_by_text("Traceback").count() == 0
    assert external == [], f"requests left the machine: {external[:3]}"


def test_every_page_in_a_real_browser(published_demo, browser):
    data_dir, _, _ = published_demo
    process, port = start(data_dir)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        external: list[str] = []
        page.on(
            "request",
            lambda r: (
                external.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:"))
                else None
            ),
        )
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        ARTIFACTS.mkdir(exist_ok=True)
        for path, title in PAGES.items():
            open_page(page, port, path, title, external)
            page.screenshot(path=str(ARTIFACTS / f"page_{path or 'strategie'}.png"), full_page=True)
        assert errors == []
        maps = page.goto(f"http://127.0.0.1:{port}/netzwerk")
        assert maps is not None
        page.locator(".js-plotly-plot .choroplethlayer path").first.wait_for(timeout=60_000)
    finally:
        stop(process)


def test_the_pipeline_runs_while_the_dashboard_is_open(published_demo, browser, tmp_path):
    source, _, _ = published_demo
    data_dir = DataDir(tmp_path / "data")
    shutil.copytree(source.root, data_dir.root, ignore=shutil.ignore_patterns("dagster_home"))
    process, port = start(data_dir)
    try:
        page = browser.new_page()
        external: list[str] = []
        open_page(page, port, "datenqualitaet", "Datenqualität", external)
        stamp = page.get_by_text("Datenstand:").first.inner_text()
        # the dashboard keeps the page open (and reads the file) while the pipeline writes and publishes
        result = run_cli(
            "pipeline", "--data-dir", str(data_dir.root), env={"ALUMNI_PSEUDONYM_KEY": "demo-test-key"}
        )
        assert result.returncode == 0, result.stderr[-2000:]
        page.reload()
        open_page(page, port, "datenqualitaet", "Datenqualität", external)
        assert (
            page.get_by_text("Datenstand:").first.inner_text() != stamp
        )  # the new file, read after the swap
        open_page(page, port, "", "Strategie", external)
    finally:
        stop(process)

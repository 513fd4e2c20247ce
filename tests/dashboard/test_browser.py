"""The served dashboard in a real headless Chromium (Debian's), on the demo data, with screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import copy_data_dir, run_cli
from tests.dashboard.headless import PAGES, start, stop

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPO = Path(__file__).resolve().parents[2]


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
    data_dir = copy_data_dir(source, tmp_path / "data")  # without the record of its build: the run builds
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


# ----------------------------------------------------------------------------- for the reader, in both languages

SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
RAW_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
TITLES = {
    "de": ["Strategie", "Netzwerk", "Engagement", "Clubs", "Datenqualität"],
    "en": ["Strategy", "Network", "Engagement", "Clubs", "Data quality"],
}
SLUGS = ["strategie", "netzwerk", "engagement", "clubs", "datenqualitaet"]
FORMATS = {
    # a share as the language writes it; a date; a number with thousands separator
    "de": (
        re.compile(r"^\d{1,3},\d %$"),
        re.compile(r"^\d{2}\.\d{2}\.\d{4}"),
        re.compile(r"^\d{1,3}(\.\d{3})+$"),
    ),
    "en": (
        re.compile(r"^\d{1,3}\.\d%$"),
        re.compile(r"^\d{4}-\d{2}-\d{2}"),
        re.compile(r"^\d{1,3}(,\d{3})+$"),
    ),
}


def outside(url: str) -> bool:
    return not url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:"))


def test_every_page_in_german_and_english_reads_right(published_demo, browser):
    """No snake_case column header, figures formatted for the language, the club map's markers."""
    data_dir, _, _ = published_demo
    process, port = start(data_dir)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        for lang in ("de", "en"):
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            external: list[str] = []
            page.on("request", lambda r, found=external: found.append(r.url) if outside(r.url) else None)
            errors: list[str] = []
            page.on("pageerror", lambda e, found=errors: found.append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("heading", name="Strategie", exact=True).first.wait_for(timeout=60_000)
            if lang == "en":
                page.get_by_text("English", exact=True).click()
                page.get_by_role("heading", name="Strategy", exact=True).first.wait_for(timeout=60_000)
            share, day, thousands = FORMATS[lang]
            for index, (title, slug) in enumerate(zip(TITLES[lang], SLUGS, strict=True)):
                page.locator("[data-testid='stSidebarNav'] a").nth(index).click()
                page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
                if slug != "datenqualitaet":
                    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
                if slug in ("engagement", "clubs", "datenqualitaet"):
                    page.locator("[role='columnheader']").first.wait_for(timeout=60_000, state="attached")
                page.wait_for_timeout(1500)
                assert page.locator("[data-testid='stException']").count() == 0, slug
                headers = page.locator("[role='columnheader']").all_inner_texts()
                assert not [h for h in headers if SNAKE_CASE.match(h.strip())], (lang, slug, headers)
                cells = [c.strip() for c in page.locator("[role='gridcell']").all_inner_texts()]
                assert not [c for c in cells if RAW_TIMESTAMP.match(c)], (lang, slug)
                if slug == "strategie":
                    metrics = page.locator("[data-testid='stMetricValue']").all_inner_texts()
                    assert share.match(metrics[3].strip()), metrics
                    statuses = page.locator("[data-status]").all_inner_texts()
                    assert len(statuses) >= 4
                if slug == "netzwerk":  # the countries' outlines, fetched from the app itself (not a CDN)
                    outlines = page.locator(".js-plotly-plot .choroplethlocation")
                    outlines.first.wait_for(timeout=30_000, state="attached")
                    assert outlines.count() >= 10  # the countries with members
                if slug == "clubs":
                    assert any(day.match(c) for c in cells), cells[:20]
                    markers = page.locator(".js-plotly-plot .scattergeo path.point")
                    markers.first.wait_for(timeout=30_000, state="attached")
                    assert markers.count() >= 3
                if slug == "datenqualitaet":
                    assert any(day.match(c) for c in cells)
                    assert any(thousands.match(c) for c in cells), cells[:40]
                page.screenshot(path=str(ARTIFACTS / f"page_{slug}_{lang}.png"), full_page=True)
            assert errors == [], errors
            assert external == [], f"requests left the machine: {external[:3]}"
            page.close()
    finally:
        stop(process)


def test_the_strategy_page_hands_out_the_report(published_demo, browser):
    data_dir, _, _ = published_demo
    process, port = start(data_dir)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/")
        button = page.get_by_role("button", name=re.compile("Jahresbericht"))
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            button.click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert download.value.suggested_filename.endswith("_de.html")
        assert text.startswith("<!DOCTYPE html>") and text.count("data-goal=") == 4
    finally:
        stop(process)


def offline_context(browser):
    """A browser context without network that records every request and lets only the file itself load."""
    context = browser.new_context(offline=True, viewport={"width": 900, "height": 1200})
    requests: list[str] = []

    def route(route):
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    return context, requests


def test_the_report_opens_offline_and_shows_the_scorecard(published_demo, browser, tmp_path):
    data_dir, _, _ = published_demo
    ARTIFACTS.mkdir(exist_ok=True)
    for lang, heading in (("de", "Die vier Ziele"), ("en", "The four goals")):
        out = tmp_path / f"report_{lang}.html"
        result = run_cli("report", "--data-dir", str(data_dir.root), "--lang", lang, "--out", str(out))
        assert result.returncode == 0, result.stderr
        context, requests = offline_context(browser)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, found=errors: found.append(str(e)))
        page.goto(out.as_uri())
        page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        assert page.locator("[data-goal]").count() == 4
        assert page.locator("#scorecard [data-status]").count() >= 4
        assert page.locator(".js-plotly-plot").count() >= 2
        assert requests == [out.as_uri()], f"requests left the file: {requests}"
        assert errors == []
        page.screenshot(path=str(ARTIFACTS / f"report_{lang}.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        (ARTIFACTS / f"report_{lang}.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
        context.close()


def test_the_bench_counts_a_page_drawn_only_once_its_charts_are_there(published_demo, browser):
    """`make bench` stops its clock at `TITLED_JS`. In a new tab Streamlit loads the code of charts and tables
    after the script has run and shows placeholders meanwhile: the page must not count as drawn then."""
    from tests.test_bench import bench

    titled = bench().TITLED_JS
    data_dir, _, _ = published_demo
    process, port = start(data_dir)
    try:
        for path in ("engagement", "clubs"):
            page = browser.new_page(viewport={"width": 1400, "height": 1600})  # a new tab: nothing loaded
            page.goto(f"http://127.0.0.1:{port}/{path}")
            page.wait_for_function(titled, arg=PAGES[path], timeout=120_000)
            assert page.locator("[data-testid='stSkeleton']").count() == 0
            charts = page.locator("[data-testid='stPlotlyChart']")
            assert charts.count() > 0
            assert all(charts.nth(i).locator(".main-svg").count() > 0 for i in range(charts.count()))
            page.close()
    finally:
        stop(process)


def test_the_charts_look_is_what_streamlit_theme_gives_a_chart(browser):
    """The figures carry Streamlit's theme as a template and are drawn with `theme=None` (dashboard/charts.py):
    the template must be what the installed Streamlit's frontend makes of a chart, served with the dashboard's
    own options. After an upgrade that changes the theme: `.venv/bin/python scripts/plotly_template.py`."""
    import importlib.util
    import json

    from dashboard import charts

    spec = importlib.util.spec_from_file_location("plotly_template", REPO / "scripts" / "plotly_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads(json.dumps(module.capture(browser))) == charts.TEMPLATE


def test_the_scorecard_trends_are_svg_with_their_values_on_hover(published_demo, browser):
    data_dir, _, _ = published_demo
    process, port = start(data_dir)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        open_page(page, port, "", PAGES[""], [])
        trends = page.locator("svg[role='img']:has(> polyline)")
        assert trends.count() >= 8  # a trend for every KPI with more than one year
        for i in range(trends.count()):
            assert trends.nth(i).get_attribute("aria-label") not in ("", "trend")  # the KPI's name
            tips = trends.nth(i).locator("circle > title").all_text_contents()
            assert len(tips) >= 2 and all(re.fullmatch(r"20\d\d: .+", tip) for tip in tips), tips
        assert page.locator(".js-plotly-plot").count() == 1  # the CASE AEM chart only
        page.close()
    finally:
        stop(process)

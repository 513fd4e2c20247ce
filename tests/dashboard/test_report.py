"""`alumni report`: the yearly strategy report as one self-contained HTML file (on the published demo)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil

import duckdb
import pandas as pd
import pytest

from dashboard import report
from dashboard.disclosure import clubs_shown
from tests.conftest import copy_data_dir, run_cli

pytestmark = pytest.mark.slow


def outside_the_script(text: str) -> str:
    """The page without plotly.js (whose source names URLs it never loads here)."""
    return re.sub(r"<script>.*?</script>", "", text, flags=re.S)


def last_complete_year(analytics) -> int:
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        years = con.execute(
            "select year, bool_or(is_partial) as is_partial from fct_strategy_kpis group by year"
        ).df()
    finally:
        con.close()
    return report.default_year(years)


def test_report_default_year_language_and_place(published_demo, tmp_path):
    # the default place is inside the data directory: a copy, the published demo is read by other tests
    data_dir = copy_data_dir(published_demo[0], tmp_path / "data")
    result = run_cli("report", "--data-dir", str(data_dir.root))
    assert result.returncode == 0, result.stderr
    year = last_complete_year(data_dir.analytics)
    path = data_dir.root / "reports" / f"strategy_{year}_de.html"
    assert str(path) in result.stdout
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<html lang='de'>" in text
    assert f"Strategiebericht {year}" in text
    assert text.count("data-goal=") == 4
    for heading in ("Die vier Ziele", "CASE AEM nach Modus", "Wachstum des Netzwerks", "Clubs und ihr Zustand",
                    "Stand der Daten"):  # fmt: skip
        assert heading in text
    assert "@page { size: A4" in text
    # the headline's members, countries and clubs are the day's, not the year's: said so
    assert f"am Tag des Berichts, nach dem letzten Export; die Engagement-Quote: {year}." in text
    # self-contained: plotly.js inline, nothing referenced from elsewhere
    assert "Plotly" in text and len(text) > 1_000_000
    page = outside_the_script(text)
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", page)
    assert "default-src 'none'" in page
    # German figures
    assert re.search(r"\d+,\d %", page)


def test_report_year_language_and_out(published_demo, tmp_path):
    data_dir, _, _ = published_demo
    out = tmp_path / "nested" / "report.html"
    result = run_cli(
        "report", "--data-dir", str(data_dir.root), "--year", "2022", "--lang", "en", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    page = outside_the_script(out.read_text(encoding="utf-8"))
    assert "Strategy report 2022" in page and "<html lang='en'>" in page
    assert re.search(r"\d+\.\d%", page)
    assert re.search(r"data-status='(on_track|at_risk|off_track|no_target|no_data)'", page)
    assert "The four goals" in page and "Of 4 KPIs" in page


def test_report_follows_the_small_count_rule(published_demo):
    data_dir, _, _ = published_demo
    text, _ = report.build(data_dir.analytics, 2022, "de")
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    try:
        small = con.execute(
            "select count(*) from fct_strategy_kpis where year = 2022 and kpi_id in ('g2_homecoming_alumni', "
            "'g3_offer_uptake', 'g4_volunteers', 'g4_donors') and value between 1 and 4"
        ).fetchone()[0]
    finally:
        con.close()
    if small:
        assert "&lt; 5" in text
    with report.Figures(data_dir.analytics) as figures:
        clubs = figures.clubs(2022)
    section = text[text.index("Clubs und ihr Zustand") : text.index("Stand der Daten")]
    rows = re.findall(r"<tr>(.*?)</tr>", section)[1:]
    assert len(rows) == len(clubs)
    shown = [re.findall(r"<td[^>]*>(.*?)</td>", row)[3] for row in rows]
    for members, cell in zip(sorted(clubs["club_name"]), shown, strict=True):
        assert cell not in {"1", "2", "3", "4"}, members
    # hidden as on the Clubs page, whose club members' total would otherwise give a single hidden club back
    protected = clubs_shown(clubs)  # in the report's order, which is the query's
    assert [cell == "&lt; 5" for cell in shown] == protected["members"].isna().tolist()
    assert shown.count("&lt; 5") >= clubs["members"].between(1, 4).sum()


def test_a_report_is_made_of_one_file_while_the_pipeline_publishes_another(
    published_demo, tmp_path, monkeypatch
):
    data_dir, _, _ = published_demo
    path = tmp_path / "analytics.duckdb"
    shutil.copyfile(data_dir.analytics, path)
    newer = tmp_path / "analytics.duckdb.new"
    shutil.copyfile(data_dir.analytics, newer)
    con = duckdb.connect(str(newer))
    try:  # the next version: other KPI values and club names
        con.execute("update fct_strategy_kpis set value = value + 1000 where value is not null")
        con.execute("update dim_clubs set club_name = club_name || ' (neu)'")
    finally:
        con.close()
    year = last_complete_year(path)
    before, _ = report.build(path, year, "de")

    published = []
    query = report.Figures._q

    def publish_after_the_first_query(self, sql, params=()):
        result = query(self, sql, params)
        if not published:
            os.replace(newer, path)  # as the pipeline publishes: a rename over the file
            published.append(path)
        return result

    monkeypatch.setattr(report.Figures, "_q", publish_after_the_first_query)
    during, _ = report.build(path, year, "de")
    monkeypatch.undo()
    after, _ = report.build(path, year, "de")

    def content(text: str) -> str:
        """The report without plotly.js itself (the figures' own scripts kept), its random element ids and the
        moment it was made."""
        parts = re.split(r"(<script[^>]*>.*?</script>)", text, flags=re.S)
        text = "".join(part for part in parts if len(part) < 100_000)
        text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "id", text)
        return re.sub(r"erstellt am [^<]*? UTC", "", text)

    assert published
    assert content(during) == content(before)  # every figure from the file the report began with
    assert content(after) != content(before) and " (neu)" in after  # the next report reads the new one
    # no connection left open on the file (nor on the version it replaced, which Linux shows as "(deleted)")
    held = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the descriptor listdir itself used
            held.append(os.readlink(f"/proc/self/fd/{fd}"))
    assert not [target for target in held if target.startswith(str(path))]


def test_report_refuses_unknown_year_and_missing_file(published_demo, tmp_path):
    data_dir, _, _ = published_demo
    result = run_cli("report", "--data-dir", str(data_dir.root), "--year", "1990")
    assert result.returncode == 2
    assert "no figures for 1990" in result.stderr
    result = run_cli("report", "--data-dir", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "alumni pipeline" in result.stderr


def test_goal_paragraph_from_plain_templates():
    kpis = pd.DataFrame(
        {
            "kpi_id": ["a", "b", "c"],
            "kpi_name_de": ["Länder", "Wachstum", "Clubs"],
            "kpi_name_en": ["Countries", "Growth", "Clubs"],
            "unit": ["count", "count", "share"],
            "value": [71.0, 178.0, None],
            "target": [64.0, 1000.0, 0.5],
            "status": ["on_track", "off_track", "off_track"],
            "is_partial": [False, False, False],
        }
    )
    now = report.scorecard.prepare(kpis)
    before = now.assign(value=[68.0, 178.0, None])
    de = report.goal_paragraph(now, before, 2025, "de")
    assert de.startswith("Von 3 Kennzahlen sind 1 im Plan, 0 gefährdet und 1 verfehlt; 1 ohne Zielwert oder ohne Daten.")  # fmt: skip
    assert "Am weitesten vom Zielwert entfernt: Wachstum mit 178 (Zielwert 1.000)." in de
    assert "Länder stieg gegenüber 2024 von 68 auf 71." in de
    en = report.goal_paragraph(now, before, 2025, "en")
    assert "Furthest from its target: Growth at 178 (target 1,000)." in en


def test_the_reports_charts_have_plotlys_look_not_the_web_apps():
    """The dashboard's figures carry the web app's theme (charts.TEMPLATE: its web font, light grey axis text);
    the printed report draws every chart with plotly's own template, the same in the CLI and the dashboard."""
    import json

    import plotly.io as pio
    from plotly.utils import PlotlyJSONEncoder

    from dashboard import charts

    frame = pd.DataFrame({"year": [2024, 2025], "share": [0.1, 0.2], "mode": ["any", "any"]})
    html = report._figure_html(charts.line(frame, "year", "share", color="mode"), "de")
    spec = json.loads(
        re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{", html, re.S)[2]
    )
    plotly_own = pio.templates["plotly"].to_plotly_json()
    assert spec["template"] == json.loads(json.dumps(plotly_own, cls=PlotlyJSONEncoder))
    assert "Source Sans" not in html


def test_a_hidden_status_is_counted_as_hidden_not_as_without_a_target():
    kpis = pd.DataFrame(
        {
            "kpi_id": ["g4_donors", "g4_volunteers", "c"],
            "kpi_name_de": ["Spender", "Ehrenamtliche", "Clubs"],
            "kpi_name_en": ["Donors", "Volunteers", "Clubs"],
            "unit": ["count", "count", "share"],
            "value": [4.0, 3.0, None],
            "target": [4.0, 40.0, 0.5],  # against 4, the status would tell 4 from 1-3
            "status": ["on_track", "off_track", "no_target"],
            "is_partial": [False, False, False],
        }
    )
    now = report.scorecard.prepare(kpis)
    de = report.goal_paragraph(now, now, 2025, "de")
    assert de.startswith(
        "Von 3 Kennzahlen sind 0 im Plan, 0 gefährdet und 1 verfehlt; 1 ohne Zielwert oder ohne Daten; "
        "1 verborgen (Wert kleiner als 5)."
    )
    assert "Spender" not in de and "Erreicht" not in de
    assert "1 hidden (a value below 5)." in report.goal_paragraph(now, now, 2025, "en")

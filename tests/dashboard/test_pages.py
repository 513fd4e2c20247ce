"""Every page and filter with Streamlit's AppTest on a real published analytics file (demo data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py")
PAGES = ["strategie", "netzwerk", "engagement", "clubs", "datenqualitaet"]

pytestmark = pytest.mark.slow


@pytest.fixture
def app(published_demo, monkeypatch):
    data_dir, _, _ = published_demo
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    if page != "strategie":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> dict[str, str]:
    """Each chart's plotly figure (JSON) by its name (the key `chart_<name>` of components.chart)."""
    return {chart.proto.id.rsplit("-chart_", 1)[-1]: chart.proto.spec for chart in at.get("plotly_chart")}


def downloads(at: AppTest) -> set[str]:
    """The names of the page's CSV downloads (the key `download_<name>` of components.download)."""
    return {button.proto.id.rsplit("-download_", 1)[-1] for button in at.get("download_button")}


def changed_by(at: AppTest, change) -> set[str]:
    """The charts whose figures `change` (a widget set_value) changes, after a clean rerun."""
    before = figures(at)
    change.run()
    assert_clean(at)
    after = figures(at)
    assert set(after) == set(before)
    return {name for name in before if before[name] != after[name]}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_german_and_english(app, page):
    at = open_page(app, page)
    assert_clean(at)
    for chart in at.get("plotly_chart"):  # drawn as the figure says: its template is the app's theme
        assert chart.proto.theme == "", chart.proto.id
        assert json.loads(chart.proto.spec)["layout"]["template"] == charts.TEMPLATE, chart.proto.id
    assert any(c.value.startswith("Datenstand") for c in at.sidebar.caption)
    at.sidebar.radio[0].set_value("en").run()
    assert_clean(at)
    assert any(c.value.startswith("Data as of") for c in at.sidebar.caption)


def test_strategy_scorecard(app):
    at = open_page(app, "strategie")
    assert [m.label for m in at.metric][:3] == ["Mitglieder", "Länder", "Alumni-Clubs"]
    # today's figures beside a chosen year: said so
    chosen = at.sidebar.selectbox[0].value
    assert any(c.value.startswith("Mitglieder, Länder und Alumni-Clubs: heute") and str(chosen) in c.value
               for c in at.caption)  # fmt: skip
    markdown = " ".join(m.value for m in at.markdown)
    for goal in ("1 · Lebendige", "2 · Starke Bindung", "3 · Engagement der TU", "4 · Engagement der Alumni"):
        assert goal in markdown
    assert "data-status=" in markdown
    years = at.sidebar.selectbox[0].options
    at.sidebar.selectbox[0].set_value(years[-1]).run()
    assert_clean(at)
    assert " ".join(m.value for m in at.markdown) != markdown  # the scorecard of another year


def test_network_filters_and_split(app):
    at = open_page(app, "netzwerk")
    assert changed_by(at, at) == set()  # a rerun alone changes nothing
    segmented = {"members_over_time", "new_departed", "members_by_country", "cohorts"}
    assert changed_by(at, at.sidebar.multiselect(key="faculty_network").set_value(["INF"])) == segmented
    assert changed_by(at, at.sidebar.multiselect(key="status_network").set_value(["graduate"])) == segmented
    region = at.sidebar.multiselect(key="region_network").set_value(["chemnitz", "saxony"])
    assert changed_by(at, region) == segmented
    for split in ("faculty_code", "region", "status_group"):
        assert changed_by(at, at.radio(key="network_dimension").set_value(split)) == {"members_over_time"}
    period = at.sidebar.slider(key="period_network").set_value((2015, 2018))
    assert changed_by(at, period) == {"members_over_time", "new_departed"}


def test_the_world_map_shows_the_countries_that_its_total_cannot_give_back(app):
    from dashboard import data
    from dashboard.disclosure import countries_shown

    at = open_page(app, "netzwerk")
    # friends: few countries of few members, where hiding just one more country than the small ones left them
    # exact (the demo's: one shown, whose count the total less the hidden ones gave back)
    for filters in ({}, {"status_group": ["friend"]}):
        if filters:
            at.sidebar.multiselect(key="status_network").set_value(filters["status_group"]).run()
        drawn = json.loads(figures(at)["members_by_country"])["data"][
            -1
        ]  # the counts' layer, hidden ones below
        expected = countries_shown(data.members_by_country(filters)).dropna(subset=["members"])
        assert sorted(drawn.get("locations", [])) == sorted(expected["country_code"]), filters


def test_the_growth_is_hidden_with_the_year_before_the_period_in_view(app, monkeypatch):
    """The period's first month may show its flows only where the month before it (in another period on the same
    page) does not give them back: the page reads the year before the period too (disclosure.growth_shown)."""
    from dashboard import data

    asked = []
    for name in ("growth", "growth_total"):
        real = getattr(data, name)

        def recorded(*args, real=real, name=name):
            asked.append((name, args[-2]))
            return real(*args)

        monkeypatch.setattr(data, name, recorded)
    at = open_page(app, "netzwerk")
    at.sidebar.slider(key="period_network").set_value((2015, 2018)).run()
    assert_clean(at)
    assert ("growth", 2014) in asked and ("growth_total", 2014) in asked
    assert ("growth_total", 2015) in asked  # the months shown


def test_engagement_filters_and_tier_year(app):
    at = open_page(app, "engagement")
    # campaigns, events and tier movement are university-wide: the segment filters change the tiers only
    assert changed_by(at, at.sidebar.multiselect(key="region_engagement").set_value(["abroad"])) == {
        "tiers_over_time"
    }
    options = at.selectbox(key="transition_year").options
    assert changed_by(at, at.selectbox(key="transition_year").set_value(options[-1])) == {"tier_movement"}


def test_engagement_events_one_measure_at_a_time(app):
    """The four event measures share one chart (one Plotly chart drawn, not four); each keeps its own name, so
    its download's file name and its university-wide note stay as they were."""
    at = open_page(app, "engagement")
    before = figures(at)
    others = {name: spec for name, spec in before.items() if not name.startswith("event_")}
    assert {name for name in before if name.startswith("event_")} == {"event_attendance"}
    titles = {
        "attendees": ("event_attendance", "Teilnehmende", "bar"),
        "no_show_rate": ("event_no_shows", "No-Show-Quote", "scatter"),
        "first_time_attendees": ("event_first_timers", "Erstbesucher/innen", "bar"),
        "speakers": ("event_speakers", "Referent/innen", "bar"),
    }
    for measure, (name, title, kind) in titles.items():
        at.radio(key="event_measure").set_value(measure).run()
        assert_clean(at)
        after = figures(at)
        assert {n for n in after if n.startswith("event_")} == {name}
        assert {n for n in downloads(at) if n.startswith("event_")} == {name}  # its CSV under its own name
        assert {n: spec for n, spec in after.items() if not n.startswith("event_")} == others
        fig = json.loads(after[name])
        assert fig["layout"]["yaxis"]["title"]["text"] == title
        assert {trace["type"] for trace in fig["data"]} == {kind}


def test_the_club_map_tells_each_club_in_the_reader_s_language(app):
    """Each club's tooltip: name, place, members, meetings and health, labelled in the reader's language, its
    health as its marker's legend group says (the labels are read once per run, not per club)."""
    at = open_page(app, "clubs")
    for language, labels in {
        "de": ("Mitglieder", "Treffen (12 Monate)", "Zustand"),
        "en": ("Members", "Meetings (12 months)", "Health"),
    }.items():
        at.sidebar.radio[0].set_value(language).run()
        assert_clean(at)
        traces = [t for t in json.loads(figures(at)["club_map"])["data"] if t["type"] == "scattergeo"]
        assert traces and sum(len(t["text"]) for t in traces) >= 5
        for trace in traces:
            for tip in trace["text"]:
                lines = tip.split("<br>")
                assert lines[0].startswith("<b>") and lines[0].endswith("</b>")
                assert [line.split(": ")[0] for line in lines[2:]] == list(labels)
                assert lines[-1] == f"{labels[-1]}: {trace['name']}"


def test_no_analytics_file_explains_how_to_create_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert_clean(at)
    assert at.title[0].value == "Noch keine Auswertung vorhanden"
    assert "alumni pipeline" in at.markdown[0].value

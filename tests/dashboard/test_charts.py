"""The charts: maps offline (shipped shapes, no base layer), club markers, "< 5" countries; figures kept per frame."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard import charts


def test_club_map_one_marker_per_club_sized_and_coloured_by_health():
    clubs = pd.DataFrame(
        {
            "latitude": [52.52, 48.14, 31.23],
            "longitude": [13.40, 11.58, 121.47],
            "size": [40.0, None, 10.0],  # None: suppressed ("< 5"), still a marker
            "group": ["lebendig", "ruhig", "lebendig"],
            "hover": ["<b>Berlin</b>", "<b>München</b>", "<b>Shanghai</b>"],
        }
    )
    fig = charts.club_map(clubs, {"lebendig": "#0072B2", "ruhig": "#E69F00"})
    markers = [trace for trace in fig.data if trace.type == "scattergeo"]
    assert sorted(t.name for t in markers) == ["lebendig", "ruhig"]
    assert sum(len(t.lat) for t in markers) == 3
    thriving = next(t for t in markers if t.name == "lebendig")
    assert thriving.marker.color == "#0072B2"
    assert thriving.marker.size[0] > thriving.marker.size[1]  # more members, bigger marker
    assert list(thriving.text) == ["<b>Berlin</b>", "<b>Shanghai</b>"]
    assert fig.layout.geo.visible is False  # no CDN base map: the shipped shapes are the ground
    assert any(trace.type == "choropleth" for trace in fig.data)
    europe = charts.club_map(clubs, {}, region=charts.EUROPE)
    assert list(europe.layout.geo.lonaxis.range) == charts.EUROPE["lonaxis_range"]


def test_members_map_says_less_than_five_for_hidden_countries():
    shown = pd.DataFrame({"country_code": ["DE", "AT", "CN", "US"], "members": [500.0, 40.0, 30.0, 12.0]})
    fig = charts.world_map(shown, "country_code", "members", hidden=["FR", "IT"], names={"FR": "Frankreich"})
    hidden, values = fig.data
    assert list(hidden.locations) == ["FR", "IT"]
    assert list(hidden.text) == ["Frankreich: < 5", "IT: < 5"]
    assert "FR" not in list(values.locations) and list(values.z) == [500.0, 40.0, 30.0, 12.0]


def test_a_figure_is_built_once_per_frame_and_each_caller_gets_its_own_copy(monkeypatch):
    frame = pd.DataFrame({"year": [2024, 2024, 2025, 2025], "kind": list("abab"), "people": [10, 20, 30, 40]})
    built = []
    original = charts.px.bar
    monkeypatch.setattr(charts.px, "bar", lambda *a, **k: built.append(1) or original(*a, **k))
    charts._kept.clear()

    first = charts.bars(frame, "year", "people", color="kind", labels={"people": "Personen"})
    again = charts.bars(frame.copy(), "year", "people", color="kind", labels={"people": "Personen"})
    assert len(built) == 1  # the same content: kept
    assert json.loads(pio.to_json(first)) == json.loads(pio.to_json(again))
    assert [list(t.y) for t in again.data] == [
        [10, 30],
        [20, 40],
    ]  # values, not their encoding for the browser

    # a caller's changes stay its own
    first.update_layout(separators=",.")
    first.update_traces(marker={"color": "#000000"})
    third = charts.bars(frame, "year", "people", color="kind", labels={"people": "Personen"})
    assert third.layout.separators is None and third.data[0].marker.color != "#000000"

    # other content, other arguments: built anew
    changed = frame.assign(people=[10, 20, 30, 41])
    assert list(
        charts.bars(changed, "year", "people", color="kind", labels={"people": "Personen"}).data[1].y
    ) == [
        20,
        41,
    ]
    charts.bars(frame, "year", "people", color="kind", labels={"people": "People"})
    charts.bars(
        frame.set_index(pd.Index([4, 5, 6, 7])), "year", "people", color="kind", labels={"people": "Personen"}
    )
    assert len(built) == 4

    # bounded: the oldest figures go
    monkeypatch.setattr(charts, "KEPT_FIGURES", 3)
    for n in range(5):
        charts.bars(pd.DataFrame({"year": [2025], "people": [n]}), "year", "people")
    assert len(charts._kept) == 3


def test_a_kept_figure_draws_as_a_fresh_one():
    shown = pd.DataFrame({"country_code": ["DE", "AT"], "members": [500.0, 40.0]})
    charts._kept.clear()
    kept = charts.world_map(shown, "country_code", "members", hidden=["FR"], names={"FR": "Frankreich"})
    again = charts.world_map(shown, "country_code", "members", hidden=["FR"], names={"FR": "Frankreich"})
    fresh = go.Figure(
        charts._spec(
            charts.world_map.__wrapped__(
                shown, "country_code", "members", hidden=["FR"], names={"FR": "Frankreich"}
            )
        ),
        _validate=False,
    )
    assert json.loads(pio.to_json(again)) == json.loads(pio.to_json(fresh)) == json.loads(pio.to_json(kept))


def test_a_kept_figure_is_given_only_for_an_equal_frame(monkeypatch):
    charts._kept.clear()
    # every frame hashing alike: the hash finds the entry, equality decides
    monkeypatch.setattr(charts, "_fingerprint", lambda frame: "same")
    numbers = pd.DataFrame({"year": [2024, 2025], "people": [10, 20]})
    texts = pd.DataFrame({"year": [2024, 2025], "people": [10, 20]}).astype({"year": object})
    texts["year"] = ["2024", "2025"]
    floats = numbers.astype({"people": "float64"})
    for frame in (
        numbers,
        texts,
        floats,
        numbers.set_axis([3, 4]),
        numbers.rename(columns={"people": "Personen"}),
    ):
        y = "Personen" if "Personen" in frame.columns else "people"
        fig = charts.bars(frame, "year", y)
        fresh = go.Figure(charts._spec(charts.bars.__wrapped__(frame, "year", y)), _validate=False)
        assert json.loads(pio.to_json(fig)) == json.loads(pio.to_json(fresh))
    # the positional arguments are part of the key
    charts._kept.clear()
    monkeypatch.undo()
    both = pd.DataFrame({"year": [2024, 2025], "people": [10, 20], "clubs": [1, 2]})
    assert list(charts.bars(both, "year", "people").data[0].y) == [10, 20]
    assert list(charts.bars(both, "year", "clubs").data[0].y) == [1, 2]


def test_every_figure_carries_the_app_look_as_plotly_js_gets_it():
    """The pages draw with `theme=None`: the look is the figure's template, given to plotly.js as the real
    frontend made it (tests/dashboard/test_browser.py compares with the installed Streamlit), keys the Python
    classes do not know included (a colour bar's "transparent" outline would else be drawn dark)."""
    charts._kept.clear()
    frame = pd.DataFrame({"year": [2024, 2025], "people": [10, 20]})
    shown = pd.DataFrame({"country_code": ["DE", "AT"], "members": [500.0, 40.0]})
    moves = pd.DataFrame({"from_tier": ["a", "b"], "to_tier": ["b", "a"], "members": [3, 4]})
    figures = [
        charts.bars(frame, "year", "people"),
        charts.line(frame, "year", "people"),
        charts.area(frame.assign(kind="k"), "year", "people", color="kind"),
        charts.world_map(shown, "country_code", "members"),
        charts.heatmap(moves, "to_tier", "from_tier", "members", ["a", "b"]),
        charts.bars(frame.assign(cells=[[1], [2]]), "year", "people"),  # unhashable cells: built every time
    ]
    for fig in figures:
        sent = json.loads(pio.to_json(fig, validate=False))
        assert sent["layout"]["template"] == charts.TEMPLATE
    assert charts.TEMPLATE["layout"]["coloraxis"]["colorbar"]["outlinecolor"] == "transparent"


def test_plotly_express_s_own_template_would_change_no_figure(monkeypatch):
    """The builders give plotly express the empty template ("none"), not the process's default (plotly's, or
    Streamlit's once Streamlit is imported); what they make is what either default made, colours, hover texts
    and axes alike, as `_spec` replaces the template with the app's and every colour is given. Several groups,
    dates, a percent axis, a horizontal bar and a heatmap, as the pages draw them."""
    months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]).repeat(3)
    frame = pd.DataFrame({"month": months, "members": range(9), "tier": ["core", "active", "low"] * 3})
    rates = frame.assign(members=frame["members"] / 10)
    moves = pd.DataFrame({"from_tier": ["a", "b", "a"], "to_tier": ["b", "a", "a"], "members": [3, 4, 5]})
    labels = {"members": "Mitglieder", "month": "", "tier": ""}
    builds = [
        lambda: charts.line(rates, "month", "members", color="tier", percent=True, labels=labels),
        lambda: charts.bars(frame, "month", "members", color="tier", stacked=False, labels=labels),
        lambda: charts.bars(frame, "tier", "members", color="tier", horizontal=True),
        lambda: charts.area(
            frame, "month", "members", color="tier", colours={"core": "#000000"}, labels=labels
        ),
        lambda: charts.heatmap(moves, "to_tier", "from_tier", "members", ["a", "b"], labels={"x": "2025"}),
    ]

    def sent(build) -> str:
        charts._kept.clear()
        return pio.to_json(build(), validate=False, pretty=True)

    ours = [sent(build) for build in builds]
    import streamlit.elements.plotly_chart  # noqa: F401 - registers "streamlit", the default in the app's process

    for default in ("plotly", "streamlit"):  # the default in `alumni report`'s process and in the dashboard's
        monkeypatch.setattr(charts, "PX_TEMPLATE", default)
        assert [sent(build) for build in builds] == ours, default


def test_a_sparkline_is_svg_with_a_tip_per_point_and_nothing_of_script():
    # rows out of order and a year without a value (suppressed): the points follow the years, each with its tip
    history = pd.DataFrame({"year": [2025, 2023, 2024, 2026], "value": [0.3, 0.1, None, 0.2]})
    tips = history.assign(tip=["2025: <30 %>", "2023: 10 %", "-", "2026: 20 %"])
    svg = charts.sparkline(
        tips, "year", "value", "#0072B2", width=200, height=80, tips="tip", label="Quote <a>"
    )
    assert svg.startswith("<svg") and "<script" not in svg and not re.search(r"\son\w+=", svg)
    assert "aria-label='Quote &lt;a&gt;'" in svg
    titled = re.findall(
        r"<circle cx='([\d.]+)' cy='([\d.]+)' r='8' fill='transparent'><title>([^<]*)</title>", svg
    )
    assert [tip for _, _, tip in titled] == ["2023: 10 %", "2025: &lt;30 %&gt;", "2026: 20 %"]  # escaped
    xs = [float(x) for x, _, _ in titled]
    assert xs == sorted(xs) and xs[0] == 4.0 and xs[-1] == 196.0  # the years' places, first to last
    ys = {tip: float(y) for _, y, tip in titled}
    assert ys["2025: &lt;30 %&gt;"] < ys["2026: 20 %"] < ys["2023: 10 %"]  # higher value, higher up
    assert svg.count("r='2.5'") == 3  # a drawn point per year with a value
    plain = charts.sparkline(history, "year", "value", "#0072B2")
    assert plain.count("<circle") == 1 and "<title>" not in plain  # the report's: the last point marked
    assert "aria-label='trend'" in plain and "width='120' height='28'" in plain
    assert charts.sparkline(history.head(1), "year", "value", "#0072B2") == ""


def test_a_heatmap_cell_hidden_as_small_reads_as_the_table_does():
    """A suppressed pair (its row there, its value missing) reads "< 5", not 0; nobody (no row) is empty."""
    charts._kept.clear()
    moves = pd.DataFrame(
        {"from_tier": ["a", "b", "a"], "to_tier": ["b", "a", "a"], "members": [None, 12.0, 0.0]}
    )
    trace = charts.heatmap(moves, "to_tier", "from_tier", "members", ["a", "b"]).data[0]
    assert trace.text.tolist() == [["0", "< 5"], ["12", ""]]
    assert trace.texttemplate == "%{text}" and "%{text}" in trace.hovertemplate

"""The maps: offline (shipped shapes, no base layer), club markers, members map with "< 5" countries."""

from __future__ import annotations

import pandas as pd

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

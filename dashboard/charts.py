"""Pure functions: DataFrame in, Plotly figure (or an SVG trend line) out. No Streamlit, no queries, no metric
arithmetic."""

from __future__ import annotations

import copy
import functools
import hashlib
import html
import json
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard import seeds
from dashboard.privacy import display

STATIC = Path(__file__).resolve().parent / "static"
# Streamlit's light theme as plotly.js receives it, read from the real frontend (scripts/plotly_template.py):
# every figure carries it, and the pages draw with `st.plotly_chart(..., theme=None)`. With Streamlit's theme the
# browser merged the theme into every figure each time it prepared one (twice per chart drawn), and plotly.js
# took about 40 % longer: a quarter of a later visit to a page of seven charts (docs/benchmarks.md, issue 13,
# eighth pass). Given to plotly.js as it is, unvalidated: the Python classes reject keys and values that
# plotly.js takes ("transparent" outlines).
TEMPLATE_FILE = Path(__file__).resolve().parent / "assets" / "plotly_template.json"
TEMPLATE = json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))
# plotly express gives every figure the process's default template and validates it, all of it, each time:
# Streamlit's in the dashboard (set when Streamlit is imported), plotly's own in `alumni report`. At scale 10's
# frames a figure took 23-38 ms with Streamlit's, 28-35 ms with plotly's and 19-25 ms with none (medians of seven;
# docs/benchmarks.md, issue 13, twenty-first pass). It never reaches the reader: `_spec` replaces it with
# `TEMPLATE`, and every colour the builders use is given (tests/dashboard/test_charts.py builds each kind with
# each default and compares).
PX_TEMPLATE = "none"
# Natural Earth country outlines, served by the app itself (Streamlit's static folder): a map's figure names the
# file instead of carrying 600 kB of shapes, so it is built, sent and drawn in a fraction of the time, and the
# browser fetches the shapes once - from this server, never from a CDN (offline, intranet). Relative, like
# plotly's topojsonURL (components.PLOTLY_CONFIG), so that it also works under a base URL path.
SHAPES_URL = "app/static/countries.geojson"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; status is also always said in text.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]
STATUS_COLOURS = {
    "on_track": "#0072B2",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "no_target": "#767676",
    "no_data": "#767676",
    "hidden": "#767676",
}
STATUS_TEXT_COLOURS = {"at_risk": "#000000"}  # white elsewhere
TIER_COLOURS = seeds.tier_colours()  # dbt_project/seeds/engagement_tiers.csv
HEALTH_COLOURS = {"thriving": "#0072B2", "quiet": "#E69F00", "dormant": "#767676", "none": "#CC79A7"}


@cache
def country_ids() -> tuple[str, ...]:
    """The countries of the shipped outlines (ISO codes, the features' ids)."""
    shapes = json.loads((STATIC / "countries.geojson").read_text(encoding="utf-8"))
    return tuple(feature["id"] for feature in shapes["features"])


# A page's every rerun (a click, a filter, a visit) draws the same figures from the same frames, and plotly
# express takes 40-80 ms to build one: most of a page's time on the server once its queries are cached. The
# builders are pure, so a figure is kept by what it is built from (the frame's content, the arguments) and each
# caller gets its own copy, cheaply (2-3 ms, without plotly's validation: the kept figure was validated when built).
# Shared by the server's sessions like the query cache (dashboard/data.py); the figures hold what the frames
# hold, already suppressed. The key's hash only finds the entry: a figure is given out only for a frame equal
# to the one it was built from (values, types, columns, index), never for one that merely hashes alike.
KEPT_FIGURES = 128
_kept: OrderedDict[tuple, tuple[pd.DataFrame, dict]] = OrderedDict()
_kept_lock = threading.Lock()


def _fingerprint(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _same(kept: pd.DataFrame, frame: pd.DataFrame) -> bool:
    return (
        list(kept.columns) == list(frame.columns)
        and kept.dtypes.equals(frame.dtypes)
        and kept.index.equals(frame.index)
        and kept.equals(frame)
    )


def _spec(fig: go.Figure) -> dict:
    """The figure's own properties, arrays as they are (`to_dict` would encode them for the browser, and a copy's
    `trace.x` would then be that encoding; tests/dashboard/test_charts.py compares), with the app's look."""
    return {"data": fig._data, "layout": {**fig._layout, "template": TEMPLATE}}


def kept(build):
    """`build(frame, ...)` once per frame content and arguments; a fresh `go.Figure` to each caller, with the app's
    look (`TEMPLATE`)."""

    @functools.wraps(build)
    def built(frame: pd.DataFrame, *args, **kwargs) -> go.Figure:
        try:
            key = (build.__name__, _fingerprint(frame), repr(args), repr(sorted(kwargs.items())))
        except TypeError:  # cells pandas cannot hash (lists): built every time
            return go.Figure(copy.deepcopy(_spec(build(frame, *args, **kwargs))), _validate=False)
        with _kept_lock:
            entry = _kept.get(key)
            if entry is not None:
                _kept.move_to_end(key)
        spec = entry[1] if entry is not None and _same(entry[0], frame) else None
        if spec is None:
            spec = _spec(build(frame, *args, **kwargs))
            with _kept_lock:
                _kept[key] = (frame.copy(), spec)
                while len(_kept) > KEPT_FIGURES:
                    _kept.popitem(last=False)
        return go.Figure(copy.deepcopy(spec), _validate=False)

    return built


def _layout(fig: go.Figure, title: str = "", height: int = 360) -> go.Figure:
    fig.update_layout(
        title=title or None,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        colorway=PALETTE,
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )
    return fig


@kept
def line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    title: str = "",
    percent: bool = False,
    labels: dict | None = None,
) -> go.Figure:
    fig = px.line(
        frame,
        x=x,
        y=y,
        color=color,
        labels=labels or {},
        markers=len(frame) < 40,
        color_discrete_sequence=PALETTE,
        template=PX_TEMPLATE,
    )
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return _layout(fig, title)


@kept
def bars(
    frame: pd.DataFrame,
    x: str,
    y: str | list[str],
    color: str | None = None,
    title: str = "",
    stacked: bool = True,
    labels: dict | None = None,
    horizontal: bool = False,
) -> go.Figure:
    # horizontal: the categories `x` on the vertical axis, the values `y` along the horizontal one
    fig = px.bar(
        frame,
        x=y if horizontal else x,
        y=x if horizontal else y,
        color=color,
        labels=labels or {},
        orientation="h" if horizontal else None,
        color_discrete_sequence=PALETTE,
        template=PX_TEMPLATE,
    )
    fig.update_layout(barmode="stack" if stacked else "group")
    return _layout(fig, title)


@kept
def area(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    title: str = "",
    colours: dict | None = None,
    labels: dict | None = None,
) -> go.Figure:
    fig = px.area(
        frame,
        x=x,
        y=y,
        color=color,
        labels=labels or {},
        color_discrete_map=colours or {},
        color_discrete_sequence=PALETTE,
        template=PX_TEMPLATE,
    )
    return _layout(fig, title)


def sparkline(
    frame: pd.DataFrame,
    x: str,
    y: str,
    colour: str,
    width: int = 120,
    height: int = 28,
    tips: str | None = None,
    label: str = "",
) -> str:
    """A trend as inline SVG, without script: a scorecard's KPI in the dashboard, or in the printed report.

    Without `tips` (the report): a line of `width` x `height` pixels, its last point marked. With `tips`, a column
    of `frame` with a text per point (year and value, formatted for the reader): every point marked, its text shown
    on hovering it (a wider, invisible target around the point), and the line as wide as its column up to `width`.
    The dashboard drew these as Plotly charts, sixteen plotly.js instances on its first page; as SVG they cost the
    browser next to nothing (docs/benchmarks.md, issue 13, eighth pass). `label`: what the trend is of, for
    screen readers.
    """
    points = frame.dropna(subset=[y]).sort_values(x)
    if len(points) < 2:
        return ""
    xs, ys = points[x].astype(float).tolist(), points[y].astype(float).tolist()
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad = 4 if tips else 3  # room for the marked points

    def at(px: float, py: float) -> tuple[str, str]:
        sx = pad + (width - 2 * pad) * ((px - x0) / (x1 - x0) if x1 > x0 else 0.5)
        sy = height - pad - (height - 2 * pad) * ((py - y0) / (y1 - y0) if y1 > y0 else 0.5)
        return f"{sx:.1f}", f"{sy:.1f}"

    spots = [at(px, py) for px, py in zip(xs, ys, strict=True)]
    line = " ".join(f"{sx},{sy}" for sx, sy in spots)
    if tips:
        marks = "".join(
            f"<circle cx='{sx}' cy='{sy}' r='2.5' fill='{colour}'/>"
            f"<circle cx='{sx}' cy='{sy}' r='8' fill='transparent'><title>{html.escape(str(text))}</title></circle>"
            for (sx, sy), text in zip(spots, points[tips], strict=True)
        )
        size = f"width='100%' style='max-width:{width}px'"
    else:
        marks = f"<circle cx='{spots[-1][0]}' cy='{spots[-1][1]}' r='2.5' fill='{colour}'/>"
        size = f"width='{width}' height='{height}'"
    return (
        f"<svg {size} viewBox='0 0 {width} {height}' role='img' aria-label='{html.escape(label or 'trend')}'>"
        f"<polyline fill='none' stroke='{colour}' stroke-width='1.5' points='{line}'/>{marks}</svg>"
    )


def _base_map(fig: go.Figure, locations: list[str] | None = None, colour: str = "#e8e8e8") -> None:
    """Country outlines from the shipped shapes, all in one colour, as the map's ground (no hover)."""
    ids = locations if locations is not None else list(country_ids())
    fig.add_trace(
        go.Choropleth(
            geojson=SHAPES_URL,
            featureidkey="id",
            locations=ids,
            z=[0] * len(ids),
            colorscale=[[0, colour], [1, colour]],
            showscale=False,
            marker_line_width=0.3,
            marker_line_color="#ffffff",
            hoverinfo="skip",
        )
    )


@kept
def world_map(
    frame: pd.DataFrame,
    location: str,
    value: str,
    title: str = "",
    label: str = "",
    hidden: list[str] | None = None,
    hidden_text: str = "< 5",
    names: dict | None = None,
) -> go.Figure:
    """Countries coloured by a count; `hidden` countries (suppressed) in grey, their value said as "< 5"."""
    fig = go.Figure()
    if hidden:
        _base_map(fig, list(hidden), colour="#bdbdbd")
        fig.data[-1].update(
            hoverinfo="text",
            text=[f"{(names or {}).get(c, c)}: {hidden_text}" for c in hidden],
            hovertemplate=None,
        )
    fig.add_trace(
        go.Choropleth(
            geojson=SHAPES_URL,
            featureidkey="id",
            locations=frame[location],
            z=frame[value],
            text=[(names or {}).get(c, c) for c in frame[location]],
            colorscale="Blues",
            marker_line_width=0.3,
            marker_line_color="#ffffff",
            # one country (Germany) dwarfs the others: cap the scale so the rest of the world shows
            zmin=0,
            zmax=float(frame[value].quantile(0.9)) if len(frame) > 3 else None,
            colorbar={"title": label or value},
            hovertemplate="%{text}: %{z:,.0f}<extra></extra>",
        )
    )
    # The base layers (land, coastlines) would come from a CDN: off. Our shapes are the map.
    fig.update_geos(visible=False, projection_type="natural earth", lataxis_range=[-58, 85])
    fig.update_layout(
        height=420, margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0}, title=title or None
    )
    return fig


EUROPE = {"lataxis_range": [35.0, 65.0], "lonaxis_range": [-12.0, 35.0]}


@kept
def club_map(
    frame: pd.DataFrame,
    colours: dict[str, str],
    title: str = "",
    height: int = 420,
    region: dict | None = None,
) -> go.Figure:
    """One marker per club at latitude/longitude, area by `size` (members), colour by `group` (health label,
    one legend entry each), `hover` as the tooltip. Countries drawn from the shipped shapes (offline)."""
    fig = go.Figure()
    _base_map(fig)
    largest = float(frame["size"].max()) if frame["size"].notna().any() else 1.0
    for group, part in frame.groupby("group", sort=False):
        sizes = part["size"].fillna(0).clip(lower=0)
        fig.add_trace(
            go.Scattergeo(
                lat=part["latitude"],
                lon=part["longitude"],
                mode="markers",
                name=str(group),
                text=part["hover"],
                hovertemplate="%{text}<extra></extra>",
                marker={
                    "size": 8 + 22 * (sizes / max(largest, 1.0)) ** 0.5,
                    "color": colours.get(str(group), PALETTE[0]),
                    "line": {"width": 1, "color": "#ffffff"},
                    "opacity": 0.85,
                },
            )
        )
    lat, lon = frame["latitude"], frame["longitude"]
    geos = {"visible": False, "projection_type": "natural earth", "showframe": False}
    if region:
        geos.update(region)
    elif len(frame):
        pad_lat = max(4.0, (lat.max() - lat.min()) * 0.15)
        pad_lon = max(6.0, (lon.max() - lon.min()) * 0.15)
        geos["lataxis_range"] = [max(-58.0, lat.min() - pad_lat), min(85.0, lat.max() + pad_lat)]
        geos["lonaxis_range"] = [max(-180.0, lon.min() - pad_lon), min(180.0, lon.max() + pad_lon)]
    fig.update_geos(**geos)
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0},
        title=title or None,
        legend={"orientation": "h", "y": -0.02},
    )
    return fig


@kept
def heatmap(
    frame: pd.DataFrame, x: str, y: str, z: str, order: list[str], title: str = "", labels: dict | None = None
) -> go.Figure:
    """`z` per pair of `x` and `y` (one row each). A value suppressed as small (missing where its pair has a row)
    is drawn empty and reads "< 5", as in the table; a pair without a row (nobody) is empty."""
    pivot = frame.pivot_table(
        index=y, columns=x, values=z, aggfunc=lambda v: v.sum(min_count=1), dropna=False
    ).reindex(index=order, columns=order)
    text = (
        display(frame, [z])
        .pivot_table(index=y, columns=x, values=z, aggfunc="first", dropna=False)
        .reindex(index=order, columns=order)
        .fillna("")
    )
    fig = px.imshow(
        pivot,
        color_continuous_scale="Blues",
        labels=labels or {},
        aspect="auto",
        template=PX_TEMPLATE,
    )
    fig.update_traces(
        text=text.to_numpy(),
        texttemplate="%{text}",
        hovertemplate=fig.data[0].hovertemplate.replace("%{z}", "%{text}"),
    )
    return _layout(fig, title, height=340)

"""Pure functions: DataFrame in, Plotly figure out. No Streamlit, no queries, no metric arithmetic."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

ASSETS = Path(__file__).resolve().parent / "assets"
PALETTE = ["#005f50", "#8fb339", "#e6a23c", "#3a7ca5", "#b5446e", "#6c757d", "#2d3142", "#c17c74"]
STATUS_COLOURS = {"on_track": "#2e7d32", "at_risk": "#f9a825", "off_track": "#c62828", "no_target": "#9e9e9e"}
TIER_COLOURS = {"inactive": "#cfd8dc", "interested": "#90caf9", "active": "#1e88e5", "champion": "#0d47a1"}


@cache
def country_shapes() -> dict:
    """Natural Earth country outlines shipped with the app: maps work offline (no CDN base map)."""
    return json.loads((ASSETS / "countries.geojson").read_text(encoding="utf-8"))


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


def line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    title: str = "",
    percent: bool = False,
    labels: dict | None = None,
) -> go.Figure:
    fig = px.line(frame, x=x, y=y, color=color, labels=labels or {}, markers=len(frame) < 40)
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return _layout(fig, title)


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
    if horizontal:
        fig = px.bar(frame, y=x, x=y, color=color, labels=labels or {}, orientation="h")
    else:
        fig = px.bar(frame, x=x, y=y, color=color, labels=labels or {})
    fig.update_layout(barmode="stack" if stacked else "group")
    return _layout(fig, title)


def area(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    title: str = "",
    colours: dict | None = None,
    labels: dict | None = None,
) -> go.Figure:
    fig = px.area(frame, x=x, y=y, color=color, labels=labels or {}, color_discrete_map=colours or {})
    return _layout(fig, title)


def sparkline(frame: pd.DataFrame, x: str, y: str, colour: str = "#005f50") -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            mode="lines+markers",
            line={"color": colour},
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(height=90, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def world_map(frame: pd.DataFrame, location: str, value: str, title: str = "", label: str = "") -> go.Figure:
    fig = go.Figure(
        go.Choropleth(
            geojson=country_shapes(),
            featureidkey="id",
            locations=frame[location],
            z=frame[value],
            colorscale="Greens",
            marker_line_width=0.3,
            marker_line_color="#ffffff",
            # one country (Germany) dwarfs the others: cap the scale so the rest of the world shows
            zmin=0,
            zmax=float(frame[value].quantile(0.9)) if len(frame) > 3 else None,
            colorbar={"title": label or value},
            hovertemplate="%{location}: %{z}<extra></extra>",
        )
    )
    # The base layers (land, coastlines) would come from a CDN: off. Our shapes are the map.
    fig.update_geos(visible=False, projection_type="natural earth", lataxis_range=[-58, 85])
    fig.update_layout(
        height=420, margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0}, title=title or None
    )
    return fig


def heatmap(
    frame: pd.DataFrame, x: str, y: str, z: str, order: list[str], title: str = "", labels: dict | None = None
) -> go.Figure:
    pivot = frame.pivot_table(index=y, columns=x, values=z, aggfunc="sum").reindex(index=order, columns=order)
    fig = px.imshow(pivot, text_auto=True, color_continuous_scale="Blues", labels=labels or {}, aspect="auto")
    return _layout(fig, title, height=340)

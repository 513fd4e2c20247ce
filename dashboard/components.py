"""Page building blocks: sidebar filters, chart + CSV download, the privacy note."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, formatting, seeds
from dashboard.access import university_wide_note
from dashboard.disclosure import safe_csv
from dashboard.i18n import label, lang, t

# plotly.js loads a base-map file for every map even with all base layers off; it gets an empty one from
# the app's static folder instead of the CDN (offline, intranet).
PLOTLY_CONFIG = {"topojsonURL": "app/static/", "displaylogo": False}

# The filters' choices in the order of the dbt seeds (faculties.csv, status_groups.csv, regions.csv).
FACULTIES = seeds.faculties()
STATUS_GROUPS = seeds.status_groups()
REGIONS = seeds.regions()


def period(key: str) -> tuple[int, int]:
    years = data.years()
    if not years:
        return 2012, 2100
    first, last = min(years), max(years)
    default_first = max(first, last - 9)
    return st.sidebar.slider(t("period"), first, last, (default_first, last), key=f"period_{key}")


def segment_filters(key: str) -> dict[str, list[str]]:
    st.sidebar.markdown(f"**{t('filters')}**")
    faculty = st.sidebar.multiselect(t("faculty"), FACULTIES, key=f"faculty_{key}", placeholder=t("all"))
    status = st.sidebar.multiselect(
        t("status_group"), STATUS_GROUPS, format_func=label, key=f"status_{key}", placeholder=t("all")
    )
    region = st.sidebar.multiselect(
        t("region"), REGIONS, format_func=label, key=f"region_{key}", placeholder=t("all")
    )
    return {"faculty_code": faculty, "status_group": status, "region": region}


def download(frame: pd.DataFrame, name: str, suppressed: list[str] | None = None) -> None:
    """The CSV is made only when the button is clicked, on a thread of its own without the page's context
    (so the language is taken now): not on every run of the page, nor sent to the browser with it."""
    rows, reader_lang, hidden = frame.copy(), lang(), list(suppressed or [])
    st.download_button(
        t("download"),
        # no cell a spreadsheet would run as a formula
        data=lambda: safe_csv(formatting.csv_frame(rows, reader_lang, hidden)),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
    )


def table(
    frame: pd.DataFrame, suppressed: list[str] | None = None, kinds: dict | None = None, **kwargs
) -> None:
    """A table for the reader: translated headers, figures formatted for the language, "< 5" where hidden."""
    st.dataframe(
        formatting.table(frame, lang(), suppressed or [], kinds), hide_index=True, width="stretch", **kwargs
    )


def chart(
    fig, frame: pd.DataFrame, name: str, suppressed: list[str] | None = None, help_text: str = ""
) -> None:
    if frame.empty:
        st.info(t("no_rows"))
        return
    fig.update_layout(separators=formatting.plotly_separators(lang()))
    # theme=None: the figure carries the theme's look already (charts.TEMPLATE)
    st.plotly_chart(fig, width="stretch", key=f"chart_{name}", config=PLOTLY_CONFIG, theme=None)
    cols = st.columns([1, 3])
    with cols[0]:
        download(frame, name, suppressed)
    if help_text:
        with cols[1]:
            st.caption(help_text)
    university_wide_note(name)


def privacy_note() -> None:
    st.caption(t("suppressed_note"))

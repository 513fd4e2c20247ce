"""The alumni dashboard: routes to the pages; reads only analytics.duckdb (published by the pipeline)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import access, data, heap
from dashboard.i18n import LANGUAGES, t

# The icon is a file of the app (an emoji icon would be fetched from a CDN by the browser).
st.set_page_config(
    page_title="Alumni TU Chemnitz",
    page_icon=str(Path(__file__).resolve().parent / "assets" / "icon.png"),
    layout="wide",
    menu_items={"Get help": None, "Report a bug": None, "About": "Alumni-Netzwerk TU Chemnitz"},
)

with st.sidebar:
    st.radio(
        "Sprache / Language",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang",
        horizontal=True,
    )

reader = access.gate()  # local mode, or signed in with a role; otherwise the script stops here

if not data.available():
    st.title(t("no_data_title"))
    st.markdown(t("no_data_body").format(path=data.analytics_path()))
    st.stop()

pages = {
    "strategie": st.Page(
        "app_pages/strategie.py", title=t("page_strategy"), url_path="strategie", default=True
    ),
    "netzwerk": st.Page("app_pages/netzwerk.py", title=t("page_network"), url_path="netzwerk"),
    "engagement": st.Page("app_pages/engagement.py", title=t("page_engagement"), url_path="engagement"),
    "clubs": st.Page("app_pages/clubs.py", title=t("page_clubs"), url_path="clubs"),
    "datenqualitaet": st.Page(
        "app_pages/datenqualitaet.py", title=t("page_quality"), url_path="datenqualitaet"
    ),
}
pages = [page for key, page in pages.items() if key in reader.pages]  # hiding only: data.py enforces
navigation = st.navigation(pages)
st.sidebar.caption(f"{t('data_as_of')}: {data.data_as_of()}")
navigation.run()
heap.freeze_after_first_run()

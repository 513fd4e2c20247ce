"""Strategie: the four impact goals as a scorecard, headline figures, CASE AEM by mode."""

import streamlit as st

from dashboard import charts, data, report, scope, scorecard
from dashboard.access import university_wide_note
from dashboard.components import chart, privacy_note
from dashboard.formatting import count
from dashboard.i18n import definition, label, lang, t
from dashboard.privacy import suppress


def format_value(value, unit: str) -> str:
    return scorecard.value_text(value, unit, False, lang())


st.title(t("page_strategy"))
years = data.years()
year = st.sidebar.selectbox(t("year"), list(reversed(years)), key="strategy_year")
kpis = scorecard.prepare(data.kpis())
this_year = kpis[kpis["year"] == year]
if bool(this_year["is_partial"].any()):
    st.info(f"{year}: {t('partial')}")

head = data.headline(year)
head = suppress(head, ["members", "countries", "engaged_alumni"], rates={"engaged_share": "engaged_alumni"})
row = head.iloc[0]
cols = st.columns(4)
cols[0].metric(t("members"), count(row["members"], lang()), border=True, help=definition("members"))
cols[1].metric(t("countries"), count(row["countries"], lang()), border=True, help=definition("countries"))
cols[2].metric(t("clubs"), count(row["clubs"], lang()), border=True, help=definition("clubs"))
cols[3].metric(
    f"{t('engaged_share')} {year}",
    format_value(row["engaged_share"], "share"),
    border=True,
    help=definition("engaged_share"),
)
# the first three are today's, whatever year is chosen (the year's own are the goals' KPIs below)
st.caption(t("headline_note").format(year=year))

report_lang = lang()
# the report holds university-wide member figures: only for readers who see every faculty (not a faculty officer)
if scope.current().faculties is None:
    st.sidebar.download_button(
        t("report_download").format(year=year),
        # made only when clicked: the file carries plotly.js (about 5 MB)
        data=lambda: report.build(data.analytics_path(), year, report_lang)[0].encode("utf-8"),
        file_name=f"strategy_{year}_{report_lang}.html",
        mime="text/html",
        help=t("report_help"),
        key="download_report",
        on_click="ignore",
        icon=":material/description:",
    )

st.subheader(t("goal"))
university_wide_note()  # KPIs, clubs and the engaged share have no faculty
st.caption(definition("kpi_status"))
goal_columns = st.columns(2)
name_column = "kpi_name_de" if lang() == "de" else "kpi_name_en"
for goal in (1, 2, 3, 4):
    with goal_columns[(goal - 1) % 2].container(border=True):
        st.markdown(f"#### {t(f'goal_{goal}')}")
        for _, kpi in this_year[this_year["goal_id"] == goal].iterrows():
            colour = charts.STATUS_COLOURS[kpi["state"]]
            partial = f" {scorecard.partial_badge(lang())}" if bool(kpi["is_partial"]) else ""
            left, right = st.columns([3, 2])
            with left:
                st.markdown(
                    f"**{kpi[name_column]}**  \n"
                    f"<span style='font-size:1.4em'>"
                    f"{scorecard.value_text(kpi['value'], kpi['unit'], kpi['suppressed'], lang())}</span> "
                    f"{scorecard.badge(kpi['state'], lang())}{partial}  \n"
                    f"{t('target')}: {format_value(kpi['target'], kpi['unit'])}",
                    unsafe_allow_html=True,
                )
            with right:
                history = kpis[(kpis["kpi_id"] == kpi["kpi_id"]) & kpis["value"].notna()]
                if len(history) > 1:
                    tips = [
                        f"{kpi_year}: {format_value(value, kpi['unit'])}"
                        for kpi_year, value in zip(history["year"], history["value"], strict=True)
                    ]
                    # inline SVG, not a Plotly chart: sixteen of them made most of this page's drawing time
                    st.markdown(
                        charts.sparkline(
                            history.assign(tip=tips),
                            "year",
                            "value",
                            colour,
                            width=200,
                            height=80,
                            tips="tip",
                            label=kpi[name_column],
                        ),
                        unsafe_allow_html=True,
                    )

st.subheader(t("aem_by_mode"))
aem = suppress(data.aem(), ["engaged_alumni"], rates={"engaged_share": "engaged_alumni"})
aem_plot = aem.assign(mode=aem["engagement_mode"].map(label))
chart(
    charts.line(
        aem_plot,
        "year",
        "engaged_share",
        color="mode",
        percent=True,
        labels={"engaged_share": t("engaged_share"), "year": t("year"), "mode": ""},
    ),
    aem,
    "aem_by_mode",
    suppressed=["engaged_alumni", "engaged_share"],
    help_text=definition("engaged_share"),
)
privacy_note()

"""Netzwerk: members over time by segment, new and departed, the world map, cohorts."""

import streamlit as st

from dashboard import charts, data, formatting
from dashboard.components import chart, period, privacy_note, segment_filters
from dashboard.disclosure import cohorts_shown, countries_shown, growth_shown
from dashboard.i18n import definition, label, lang, t

st.title(t("page_network"))
first, last = period("network")
filters = segment_filters("network")

st.subheader(t("members_over_time"))
dimension = st.radio(
    t("split_by"),
    ["status_group", "faculty_code", "region"],
    horizontal=True,
    format_func=lambda d: {
        "status_group": t("status_group"),
        "faculty_code": t("faculty"),
        "region": t("region"),
    }[d],
    key="network_dimension",
)
# the two charts' figures hidden together: a month's members are the month before's and its flows (the year
# before the period is read too: its last month's members decide what the period's first month may show)
growth, flows = growth_shown(
    data.growth(filters, dimension, first - 1, last),
    data.growth_total(filters, first - 1, last),
    months=data.growth_total(filters, first, last)["month"],
)
plot = growth.assign(segment=growth["segment"].map(label))
chart(
    charts.line(
        plot,
        "month",
        "members",
        color="segment",
        labels={"members": t("members"), "month": "", "segment": ""},
    ),
    growth,
    "members_over_time",
    suppressed=["members", "new_members", "departed_members"],
    help_text=definition("members"),
)

st.subheader(t("new_departed"))
long = flows.melt(
    id_vars="month", value_vars=["new_members", "departed_members"], var_name="flow", value_name="count"
)
long["flow"] = long["flow"].map({"new_members": t("new_members"), "departed_members": t("departed_members")})
chart(
    charts.bars(
        long, "month", "count", color="flow", stacked=False, labels={"count": "", "month": "", "flow": ""}
    ),
    flows,
    "new_departed",
    suppressed=["new_members", "departed_members", "members"],
    help_text=definition("new_departed"),
)

left, right = st.columns([3, 2])
with left:
    st.subheader(t("world_map"))
    # the countries are parts of the members' total in view on this page: the hidden ones are made at least two
    # that add up to 10 or more (disclosure.protect_total), so that the total less the shown ones fits many
    # splits (hiding one more country where one was hidden left several 1s exact: 8 hidden, 8 members)
    countries = countries_shown(data.members_by_country(filters))
    hidden = countries[countries["members"].isna()]["country_code"].tolist()
    chart(
        charts.world_map(
            countries.dropna(subset=["members"]),
            "country_code",
            "members",
            label=t("members"),
            hidden=hidden,
            names={c: formatting.country(c, lang()) for c in countries["country_code"]},
        ),
        countries,
        "members_by_country",
        suppressed=["members"],
    )
with right:
    st.subheader(t("cohorts"))
    cohorts = cohorts_shown(data.cohorts(filters))
    chart(
        charts.bars(
            cohorts,
            "graduation_year",
            "active_members",
            labels={"active_members": t("members"), "graduation_year": t("year")},
        ),
        cohorts,
        "cohorts",
        suppressed=["members", "active_members"],
    )
privacy_note()

"""Clubs: clubs on the map, the club table with health, ambassador outputs, club members' engagement."""

import streamlit as st

from dashboard import charts, data
from dashboard.access import university_wide_note
from dashboard.components import chart, download, privacy_note
from dashboard.i18n import definition, label, t
from dashboard.privacy import display, suppress

st.title(t("page_clubs"))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("club_map"))
    clubs_map = data.clubs_by_country()
    chart(
        charts.world_map(clubs_map, "country_code", "clubs", label=t("clubs")), clubs_map, "clubs_by_country"
    )
with right:
    st.subheader(t("ambassador_outputs"))
    outputs = data.ambassador_outputs()
    columns = [
        "prospective_students_informed",
        "company_contacts",
        "exchange_students_supported",
        "partners_won",
    ]
    outputs = suppress(outputs, columns)
    long = outputs.melt(id_vars="year", value_vars=columns, var_name="activity", value_name="count")
    long["activity"] = long["activity"].map(label)
    chart(
        charts.bars(
            long, "year", "count", color="activity", labels={"count": "", "year": t("year"), "activity": ""}
        ),
        outputs,
        "ambassador_outputs",
        suppressed=columns,
    )

st.subheader(t("club_table"))
table = suppress(data.clubs_overview(), ["members"])
table["status"] = table["status"].map(label)
table["health_status"] = table["health_status"].map(label)
st.dataframe(display(table, ["members"]), hide_index=True, width="stretch")
st.caption(definition("health"))
university_wide_note("clubs")
download(table, "clubs", ["members"])

st.subheader(t("club_vs_non"))
engagement = suppress(data.club_member_engagement(), ["members"], groups=["is_club_member"])
plot = engagement.assign(
    group=engagement["is_club_member"].astype(str).map(label), tier=engagement["engagement_tier"].map(label)
)
chart(
    charts.bars(
        plot,
        "group",
        "members",
        color="tier",
        labels={"members": t("members"), "group": "", "tier": ""},
        horizontal=True,
    ),
    engagement.drop(columns=["score_sum"]),
    "club_member_engagement",
    suppressed=["members"],
    help_text=definition("tiers"),
)
privacy_note()

"""Clubs: clubs on the map, the club table with health, ambassador outputs, club members' engagement."""

from html import escape

import streamlit as st

from dashboard import charts, data, formatting, geo
from dashboard.access import university_wide_note
from dashboard.components import chart, download, privacy_note, table
from dashboard.disclosure import club_engagement_shown, clubs_shown
from dashboard.i18n import definition, label, lang, t
from dashboard.privacy import suppress

st.title(t("page_clubs"))

clubs = clubs_shown(data.clubs_overview())
# catalogue coordinates where given (dim_clubs.latitude/longitude), else the club's city in the shipped places
clubs = geo.with_coordinates(
    clubs.merge(data.query("select club_id, latitude, longitude from dim_clubs"), on="club_id", how="left")
)

left, right = st.columns([3, 2])
with left:
    st.subheader(t("club_map"))
    shown = clubs[(clubs["status"] != "dissolved") & clubs["latitude"].notna()]
    health = shown["health_status"].fillna("none")
    # the language and the labels read once, not seven times per club from the session: at scale 10 (392 clubs)
    # a later visit's run took 37-55 ms less (docs/benchmarks.md, issue 13, twenty-first pass)
    reader_lang, no_health = lang(), t("health_none")
    members_label = t("members")
    meetings_label = formatting.header("meetings", reader_lang)
    health_label = formatting.header("health_status", reader_lang)
    health_text = health.map(lambda h: formatting.code(h, reader_lang) if h != "none" else no_health)
    points = shown.assign(
        size=shown["members"],
        group=health_text,
        hover=[
            f"<b>{escape(str(row.club_name))}</b><br>{escape(str(row.city))}, "
            f"{formatting.country(row.country_code, reader_lang)}<br>"
            f"{members_label}: {formatting.count(row.members, reader_lang)}<br>"
            f"{meetings_label}: {formatting.number(row.meetings, reader_lang)}<br>"
            f"{health_label}: {text}"
            for row, text in zip(shown.itertuples(), health_text, strict=True)
        ],
    )
    colours = {
        (formatting.code(k, reader_lang) if k != "none" else no_health): v
        for k, v in charts.HEALTH_COLOURS.items()
    }
    scope = st.radio(
        t("map_scope"),
        ["europe", "world"],
        format_func=lambda k: t(f"map_{k}"),
        horizontal=True,
        key="club_map_scope",
        label_visibility="collapsed",
    )
    chart(
        charts.club_map(points, colours, region=charts.EUROPE if scope == "europe" else None),
        shown,
        "club_map",
        suppressed=["members"],
        help_text=definition("health"),
    )
    unplaced = clubs[(clubs["status"] != "dissolved") & clubs["latitude"].isna()]
    if not unplaced.empty:
        st.caption(f"{t('clubs_unplaced')}: {', '.join(unplaced['club_name'].astype(str))}")
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
table(
    clubs.drop(columns=["club_id", "latitude", "longitude"]),
    suppressed=["members"],
)
st.caption(definition("health"))
university_wide_note("clubs")
download(clubs, "clubs", ["members"])

st.subheader(t("club_vs_non"))
# each tier's members of a club and of none add up to the tier on the Engagement page: hidden together
engagement = club_engagement_shown(data.club_member_engagement())
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

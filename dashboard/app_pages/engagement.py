"""Engagement: newsletters (human rates, machine opens, medians by topic), events, tiers and movement."""

import functools

import streamlit as st

from dashboard import charts, data, seeds
from dashboard.access import university_wide_note
from dashboard.components import chart, period, privacy_note, segment_filters, table
from dashboard.disclosure import EVENT_COUNTS, events_shown
from dashboard.i18n import definition, label, t
from dashboard.privacy import suppress

st.title(t("page_engagement"))
first, last = period("engagement")
filters = segment_filters("engagement")

st.subheader(t("campaigns"))
campaigns = suppress(
    data.campaigns(first, last),
    ["unique_human_opens", "unique_human_clicks", "machine_openers"],
    rates={
        "open_rate": "unique_human_opens",
        "click_rate": "unique_human_clicks",
        "click_to_open_rate": ["unique_human_clicks", "unique_human_opens"],
        "machine_open_share": "machine_openers",
    },
)
# rates of campaigns read from a tool's export follow what that export holds (TOOLS.md §5, §6)
if campaigns["event_source"].isin(["listmonk", "mautic", "mixed"]).any():
    st.caption(t("tool_rates_note"))
# listmonk without individual tracking: opens and clicks that belong to no address (rows, not people)
anonymous = campaigns[(campaigns["anonymous_opens"] > 0) | (campaigns["anonymous_clicks"] > 0)]
if not anonymous.empty:
    st.caption(t("anonymous_note"))
    table(anonymous[["sent_at", "campaign_id", "topic", "anonymous_opens", "anonymous_clicks"]])
rates = campaigns.melt(
    id_vars=["sent_at", "campaign_id"],
    value_vars=["open_rate", "click_rate", "machine_open_share"],
    var_name="rate",
    value_name="value",
)
rates["rate"] = rates["rate"].map(lambda r: t("machine_share") if r == "machine_open_share" else t(r))
chart(
    charts.line(
        rates, "sent_at", "value", color="rate", percent=True, labels={"value": "", "sent_at": "", "rate": ""}
    ),
    campaigns,
    "campaigns",
    suppressed=[
        "unique_human_opens",
        "unique_human_clicks",
        "machine_openers",
        "open_rate",
        "click_rate",
        "click_to_open_rate",
        "machine_open_share",
    ],
    help_text=definition("open_rate"),
)

st.markdown(f"**{t('median_by_topic')}**")
# a median is one campaign's rate: hidden where a campaign of the topic rests on fewer than 5 people
medians = suppress(
    data.campaign_medians(first, last),
    [],
    rates={"median_open_rate": "smallest_human_opens", "median_click_rate": "smallest_human_clicks"},
)
medians["topic"] = medians["topic"].map(label)
table(
    medians[["year", "topic", "campaigns", "median_open_rate", "median_click_rate"]],
    suppressed=["median_open_rate", "median_click_rate"],
)
st.caption(definition("click_rate"))
university_wide_note()

st.subheader(t("events"))
events = events_shown(data.events_by_type(first, last))
events_plot = events.assign(event_type=events["event_type"].map(label))
# One measure at a time, chosen as the Netzwerk page's split: each Plotly chart costs a visit about 0.13 s of
# drawing in the browser, and these four, side by side before, made a later visit take about 1 s at scale 10
# (docs/benchmarks.md, issue 13, eighth pass). Each measure keeps its chart's name (its download's file name).
EVENT_MEASURES = {  # measure -> chart name, how it is drawn
    "attendees": ("event_attendance", charts.bars),
    "no_show_rate": ("event_no_shows", functools.partial(charts.line, percent=True)),
    "first_time_attendees": ("event_first_timers", charts.bars),
    "speakers": ("event_speakers", charts.bars),
}
measure = st.radio(t("measure"), list(EVENT_MEASURES), horizontal=True, format_func=t, key="event_measure")
name, draw = EVENT_MEASURES[measure]
chart(
    draw(
        events_plot,
        "year",
        measure,
        color="event_type",
        labels={measure: t(measure), "year": t("year"), "event_type": ""},
    ),
    events,
    name,
    # the same frame under each measure: every suppressed count and rate marked "< 5" in its CSV
    suppressed=[*EVENT_COUNTS, "no_show_rate"],
    help_text=definition(measure),  # "" for a measure without a definition
)

st.subheader(t("tiers_over_time"))
tiers = suppress(data.tiers(filters, first, last), ["members"], groups=["month"])
tiers_plot = tiers.assign(tier=tiers["engagement_tier"].map(label))
chart(
    charts.area(
        tiers_plot,
        "month",
        "members",
        color="tier",
        colours={label(k): v for k, v in charts.TIER_COLOURS.items()},
        labels={"members": t("members"), "month": "", "tier": ""},
    ),
    tiers,
    "tiers_over_time",
    suppressed=["members"],
    help_text=definition("tiers"),
)

st.subheader(t("tier_movement"))
year = st.selectbox(t("year"), list(range(last, first, -1)) or [last], key="transition_year")
moves = suppress(data.tier_transitions(year), ["members"])
order = seeds.tiers()
if moves.empty:
    st.info(t("no_rows"))
else:
    st.plotly_chart(
        charts.heatmap(
            moves.assign(to_tier=moves["to_tier"].map(label), from_tier=moves["from_tier"].map(label)),
            "to_tier",
            "from_tier",
            "members",
            [label(tier) for tier in order],
            labels={"x": str(year), "y": str(year - 1), "color": t("members")},
        ),
        width="stretch",
        key="chart_tier_movement",
        theme=None,  # the figure carries the theme's look already (charts.TEMPLATE)
    )
    table(moves, ["members"])
    university_wide_note()
privacy_note()

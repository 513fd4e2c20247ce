"""Two last guards before a figure leaves the dashboard: secondary suppression against shown totals, and CSV
downloads that a spreadsheet cannot run as formulas; and the suppression of two pages' tables built on them.

Secondary suppression (maps, cohorts): countries and graduation years are parts of a total that is in view
elsewhere (members on the Strategie page, the members-over-time chart). Where the cells hidden as "< 5" are
a single cell, or add up to less than 10, that total minus the shown cells would give them away (one hidden
cell exactly; several small cells nearly). So the smallest shown cells are hidden as well until at least two
cells are hidden and they add up to 10 or more: the difference then fits many splits, none of them certain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from dashboard.privacy import THRESHOLD, is_small, suppress

HIDDEN_TOTAL = 2 * THRESHOLD


def protect_total(raw: pd.DataFrame, shown: pd.DataFrame, counts: Iterable[str]) -> pd.DataFrame:
    """`shown` (the output of privacy.suppress on `raw`) with more cells hidden where a total would reveal one."""
    out = shown.copy()
    for column in counts:
        values = pd.to_numeric(raw[column], errors="coerce")
        hidden = out[column].isna() & values.notna() & (values > 0)
        if not bool(hidden.any()):
            continue  # nothing was hidden: nothing to protect (a cell hidden with another is protected too)
        while int(hidden.sum()) < 2 or float(values[hidden].sum()) < HIDDEN_TOTAL:
            candidates = values[~hidden & values.notna() & (values > 0)]
            if candidates.empty:
                break
            hidden.loc[candidates.idxmin()] = True
        out[column] = out[column].astype("float64").where(~hidden)
    return out


def countries_shown(countries: pd.DataFrame) -> pd.DataFrame:
    """The world map (and its download): the countries are parts of the members' total of the same filters."""
    return protect_total(countries, suppress(countries, ["members"]), ["members"])


def cohorts_shown(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Graduation years: members (every one, those who left too) and active members. Their difference is the
    members who left: where it is 1 to 4, the members are hidden too (the chart shows the active ones); then no
    total gives a hidden cell back."""
    left = cohorts["members"] - cohorts["active_members"]
    shown = suppress(cohorts, ["members", "active_members"])
    shown["members"] = shown["members"].where(~is_small(left))
    return protect_total(cohorts, shown, ["members", "active_members"])


def clubs_shown(clubs: pd.DataFrame) -> pd.DataFrame:
    """The club table (and map and download): a club's members are parts of the club members' total, which the
    Clubs page shows by tier, so a hidden club is protected as a map's country is."""
    return protect_total(clubs, suppress(clubs, ["members"]), ["members"])


FLOWS = ["new_members", "departed_members"]


def _hidden(raw: pd.DataFrame, shown: pd.DataFrame, column: str) -> pd.Series:
    return shown[column].isna() & raw[column].notna()


def totals_of_growth_shown(totals: pd.DataFrame, time: str = "month") -> tuple[pd.DataFrame, pd.Series]:
    """Members at the end of each period (`time`: month or year) with its new and departed members, sorted by
    `time`; and where its flows are hidden (see growth_shown)."""
    totals = totals.sort_values(time).reset_index(drop=True)
    level = is_small(totals["members"])
    small = is_small(totals[FLOWS[0]]) | is_small(totals[FLOWS[1]])
    flows = small | level | level.shift(1, fill_value=False)
    return suppress(totals, ["members", *FLOWS], also=dict.fromkeys(FLOWS, flows)), flows


def growth_shown(
    segments: pd.DataFrame, totals: pd.DataFrame, months: Iterable | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members at each month's end with the month's new and departed members, by segment and in total (the
    Netzwerk page's two charts and downloads, the report's growth). A month's members are the month before's,
    plus the new, less the departed (and a few who come back): where one of the three is hidden and the others
    shown, it follows from them. So a month's flows are hidden both where either is 1 to 4, or where the members
    are hidden that month or the month before; and in every segment of a month whose total flows are hidden (the
    segments' would add up to them). Within a month, a single hidden segment takes the next smallest with it
    (`suppress` with groups), and whatever that hides hides its row's other flow too, until nothing changes.
    Both frames sorted by month (segments: by segment, then month), and of `months` only where given: the frames
    hold the month before them too, whose members decide what the first month's flows may show (another period
    chosen on the page would show that month)."""
    totals_shown, flows = totals_of_growth_shown(totals)
    flows_hidden_in = set(totals_shown.loc[flows, "month"])

    segments = segments.sort_values(["segment", "month"]).reset_index(drop=True)
    levels = _hidden(segments, suppress(segments, ["members"], groups=["month"]), "members")
    extra = (
        levels
        | levels.groupby(segments["segment"]).shift(1, fill_value=False)
        | segments["month"].isin(flows_hidden_in)
    )
    while True:
        shown = suppress(segments, ["members", *FLOWS], groups=["month"], also=dict.fromkeys(FLOWS, extra))
        pair = _hidden(segments, shown, FLOWS[0]) | _hidden(segments, shown, FLOWS[1])
        if not bool((pair & ~extra).any()):
            break
        extra = extra | pair
    if months is not None:
        wanted = set(months)
        shown = shown[shown["month"].isin(wanted)].reset_index(drop=True)
        totals_shown = totals_shown[totals_shown["month"].isin(wanted)].reset_index(drop=True)
    return shown, totals_shown


def club_engagement_shown(engagement: pd.DataFrame) -> pd.DataFrame:
    """Members of a club and of none, by tier (the Clubs page): parts of each group's total, and, club and none
    together, of each tier's total, which the Engagement page shows (the tiers over time): a single hidden cell of
    either kind takes the next smallest of its group or tier with it, until nothing changes."""
    mask = is_small(engagement["members"])
    while True:
        by_group = _hidden(
            engagement,
            suppress(engagement, ["members"], groups=["is_club_member"], also={"members": mask}),
            "members",
        )
        by_tier = _hidden(
            engagement,
            suppress(engagement, ["members"], groups=["engagement_tier"], also={"members": by_group}),
            "members",
        )
        if bool((by_tier == mask).all()):
            out = engagement.copy()
            out["members"] = out["members"].astype("float64").where(~mask)
            return out
        mask = by_tier


EVENT_COUNTS = ["registrations", "cancellations", "attendees", "first_time_attendees", "speakers"]


def events_shown(events: pd.DataFrame) -> pd.DataFrame:
    """Events by type and year: small counts hidden, and the no-show rate, (registrations - cancellations -
    attendees) / (registrations - cancellations) (METRICS.md), wherever one of the counts it is computed from is
    small: the cancellations too (with registrations and attendees shown, the rate gives them back), and the
    no-shows themselves, a count of people that no column shows. Registrations are cancellations, attendees and
    no-shows: where the no-shows are 1 to 4, the cancellations and attendees are hidden with them, so that the
    registrations less the others do not give them back."""
    no_shows = events["registrations"] - events["cancellations"] - events["attendees"]
    shown = suppress(
        events.assign(_no_shows=no_shows),
        EVENT_COUNTS,
        rates={"no_show_rate": ["registrations", "cancellations", "attendees", "_no_shows"]},
    ).drop(columns=["_no_shows"])
    few = is_small(no_shows)
    for column in ("cancellations", "attendees"):
        shown[column] = shown[column].where(~few)
    return shown


# ------------------------------------------------------------------------------------------- CSV safety

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe (shown as text)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes for a download: column names and text cells neutralised, numbers left as numbers."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    # CRLF rows (as Excel writes them): a CR or LF inside a cell is then always quoted
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")

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

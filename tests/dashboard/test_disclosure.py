"""Secondary suppression against shown totals, and CSV downloads a spreadsheet cannot run (dashboard/disclosure.py)."""

from __future__ import annotations

import csv
import io

import pandas as pd

from dashboard.disclosure import (
    club_engagement_shown,
    clubs_shown,
    cohorts_shown,
    countries_shown,
    events_shown,
    growth_shown,
    neutralise,
    protect_total,
    safe_csv,
)
from dashboard.privacy import suppress


def hidden_cells(raw: pd.DataFrame) -> pd.DataFrame:
    return protect_total(raw, suppress(raw, ["members"]), ["members"])


def test_a_single_hidden_country_is_not_derivable_from_the_total():
    raw = pd.DataFrame({"country_code": ["DE", "AT", "CH", "FR"], "members": [500, 40, 12, 3]})
    shown = hidden_cells(raw)
    hidden = shown["members"].isna()
    # FR (3) is hidden, and so is CH (12): total minus the shown cells gives only their sum, 15
    assert hidden.tolist() == [False, False, True, True]
    assert raw["members"][hidden].sum() >= 10


def test_two_tiny_hidden_cells_get_a_complement():
    # 1 + 1 hidden: "total minus shown = 2" would say both are 1
    raw = pd.DataFrame({"graduation_year": [2000, 2001, 2002, 2003], "members": [1, 1, 30, 50]})
    shown = hidden_cells(raw)
    assert shown["members"].isna().tolist() == [True, True, True, False]


def test_nothing_small_nothing_hidden():
    raw = pd.DataFrame({"country_code": ["DE", "AT"], "members": [500, 0]})
    assert hidden_cells(raw)["members"].tolist() == [500.0, 0.0]


def test_many_countries_of_one_member_are_not_told_by_the_map_s_total():
    """Eight countries of one member each, hidden with one more country only (as the map once did), leave the
    total less the shown countries at 8 + that country: the hidden ones are made to add up to 10 or more."""
    raw = pd.DataFrame(
        {"country_code": [f"C{i}" for i in range(8)] + ["AT", "CH", "DE"], "members": [1] * 8 + [3, 6, 60]}
    )
    shown = countries_shown(raw)
    hidden = raw["members"][shown["members"].isna()]
    assert len(hidden) >= 2 and hidden.sum() >= 10
    assert shown["members"].tolist()[-1] == 60


def test_a_cohorts_leavers_are_not_its_members_less_its_active_members():
    """1991: 12 members, 8 of them active: 4 left, which the two shown counts would tell. The members are hidden
    there, and a second year's with them, so that the members' total does not give them back either."""
    raw = pd.DataFrame(
        {
            "graduation_year": [1990, 1991, 1992, 1993],
            "members": [40, 12, 30, 25],
            "active_members": [30, 8, 20, 15],
        }
    )
    shown = cohorts_shown(raw)
    assert shown["active_members"].tolist() == [30, 8, 20, 15]
    hidden = shown["members"].isna()
    assert hidden[1] and hidden.sum() >= 2 and raw["members"][hidden].sum() >= 10
    left = shown["members"] - shown["active_members"]
    assert not left.between(1, 4).any()


def test_a_months_hidden_flow_is_not_its_members_less_the_month_befores_plus_the_other_flow():
    """Doctorates, January 2020: 1,158 members, then 1,153 with 9 departed: 4 new, which "< 5" hid but the members
    of the two months and the departed gave back. Both flows of such a month are hidden, in the other segment too
    (the total would give them back), and the month after a month whose members are hidden."""
    months = ["2019-12-01", "2020-01-01", "2020-02-01", "2020-03-01"]
    segments = pd.DataFrame(
        {
            "month": months * 2,
            "segment": ["doctorate"] * 4 + ["graduate"] * 4,
            "members": [1158, 1153, 1160, 1165, 3, 40, 45, 50],
            "new_members": [12, 4, 15, 8, 1, 38, 7, 9],
            "departed_members": [6, 9, 8, 3, 0, 1, 6, 5],
        }
    )
    totals = segments.groupby("month", as_index=False)[["members", "new_members", "departed_members"]].sum()
    shown, totals_shown = growth_shown(segments, totals)
    hidden_new, hidden_departed = shown["new_members"].isna(), shown["departed_members"].isna()
    assert (hidden_new == hidden_departed).all()  # never one flow of a row without the other
    by = shown.set_index(["segment", "month"])
    assert by.loc[("doctorate", "2020-01-01"), ["new_members", "departed_members"]].isna().all()
    assert (
        by.loc[("graduate", "2020-01-01"), ["new_members", "departed_members"]].isna().all()
    )  # the month's other
    # graduates: 3 members in December (hidden), so January's flows would give them back with January's members
    assert pd.isna(by.loc[("graduate", "2019-12-01"), "members"])
    assert by.loc[("graduate", "2020-02-01"), ["new_members", "departed_members"]].notna().all()
    assert shown["members"].notna().sum() >= 6
    assert totals_shown["new_members"].notna().all()  # the totals' flows are not small here: shown
    # a total whose flow is small hides its month's flows in every segment
    totals.loc[3, "departed_members"] = 2
    shown, totals_shown = growth_shown(segments, totals)
    assert totals_shown.loc[3, ["new_members", "departed_members"]].isna().all()
    assert shown.loc[shown["month"] == "2020-03-01", ["new_members", "departed_members"]].isna().all().all()


def test_the_first_month_of_a_period_hides_what_the_month_before_it_would_give_back():
    """Graduates: 3 members in December 2019 (hidden), 40 in January 2020 with 42 new and 5 departed. A period of
    2020 alone must not show January's flows: 40 - 42 + 5 gave December's 3 back."""
    segments = pd.DataFrame(
        {
            "month": ["2019-12-01", "2020-01-01", "2019-12-01", "2020-01-01"],
            "segment": ["graduate", "graduate", "doctorate", "doctorate"],
            "members": [3, 40, 500, 510],
            "new_members": [0, 42, 20, 15],
            "departed_members": [0, 5, 10, 5],
        }
    )
    totals = segments.groupby("month", as_index=False)[["members", "new_members", "departed_members"]].sum()
    shown, totals_shown = growth_shown(segments, totals, months=["2020-01-01"])
    assert shown["month"].tolist() == ["2020-01-01", "2020-01-01"]
    january = shown.set_index("segment")
    assert january.loc["graduate", ["new_members", "departed_members"]].isna().all()
    assert totals_shown["month"].tolist() == ["2020-01-01"]


def test_the_club_members_tiers_are_not_the_tiers_total_less_the_others():
    """The demo's last month: 26 active members on the Engagement page, 23 of them in a club: the 3 outside a club,
    hidden here, were 26 - 23. A tier's two cells are hidden together, and each group keeps its protection."""
    engagement = pd.DataFrame(
        {
            "is_club_member": [True, True, True, True, False, False, False, False],
            "engagement_tier": ["inactive", "interested", "active", "champion"] * 2,
            "members": [960, 26, 23, 12, 1012, 40, 3, 30],
        }
    )
    shown = club_engagement_shown(engagement).set_index(["is_club_member", "engagement_tier"])["members"]
    assert pd.isna(shown[(False, "active")]) and pd.isna(shown[(True, "active")])
    for group in (True, False):
        assert shown[group].isna().sum() != 1  # never one hidden part of a group
    for tier in ("inactive", "interested", "active", "champion"):
        assert shown[:, tier].isna().sum() != 1  # nor of a tier


def test_a_single_small_club_is_not_derivable_from_the_club_members_total():
    """The Clubs page shows the club members' total (by tier): one hidden club takes the next smallest with it."""
    raw = pd.DataFrame({"club_id": ["A", "B", "C"], "members": [40, 12, 3]})
    assert clubs_shown(raw)["members"].isna().tolist() == [False, True, True]


def test_the_no_show_rate_is_hidden_where_any_count_it_is_built_on_is_small():
    """With registrations and attendees shown, the rate gives back hidden cancellations; and its numerator, the
    no-shows (registrations - cancellations - attendees), is a count of people of its own, which the counts
    shown must not give back either."""
    raw = pd.DataFrame(
        {
            "registrations": [20, 20, 40],
            "cancellations": [3, 0, 10],
            "attendees": [14, 17, 20],
            "first_time_attendees": [5, 5, 5],
            "speakers": [0, 0, 0],
        }
    )
    raw["no_show_rate"] = (raw.registrations - raw.cancellations - raw.attendees) / (
        raw.registrations - raw.cancellations
    )
    shown = events_shown(raw)
    assert list(shown.columns) == list(raw.columns)
    assert shown["cancellations"].isna().tolist() == [True, True, False]  # 3; with 3 no-shows
    assert shown["attendees"].isna().tolist() == [True, True, False]  # 20 - 0 - 17 would give the no-shows
    assert shown["registrations"].notna().all()
    assert shown["no_show_rate"].isna().tolist() == [True, True, False]  # 3 no-shows in both rows
    assert shown["no_show_rate"].iloc[2] == 10 / 30


def test_csv_cells_that_look_like_formulas_are_written_as_text():
    frame = pd.DataFrame(
        {
            "name": [
                '=HYPERLINK("http://x")',
                "+1+2",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "plain",
                "-5",
                "3.5",
            ],
            "count": [1, 2, 3, 4, 5, 6, 7, -8, 9],
        }
    )
    rows = list(csv.reader(io.StringIO(safe_csv(frame).decode("utf-8"), newline="")))
    names = [row[0] for row in rows[1:]]
    assert all(name.startswith("'") for name in names[:6])
    assert names[6:] == ["plain", "-5", "3.5"]  # plain text and numbers as they are
    assert [row[1] for row in rows[1:]][-2:] == ["-8", "9"]
    assert neutralise("=1") == "'=1" and neutralise(5) == 5

"""Small-count suppression: one place, every count and rate, no derivable last part."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.privacy import MARK, display, format_count, is_small, suppress


def test_counts_below_five_are_hidden_and_zero_is_shown():
    frame = pd.DataFrame({"segment": list("abcdef"), "members": [0, 1, 4, 5, 6, 120]})
    out = suppress(frame, ["members"])
    assert out["members"].isna().tolist() == [False, True, True, False, False, False]
    assert display(out, ["members"])["members"].tolist() == ["0", MARK, MARK, "5", "6", "120"]


def test_rates_built_on_small_counts_are_hidden():
    frame = pd.DataFrame(
        {"clicks": [3, 50], "opens": [40, 60], "click_rate": [0.03, 0.4], "ctor": [0.075, 0.83]}
    )
    out = suppress(frame, ["clicks", "opens"], rates={"click_rate": "clicks", "ctor": ["clicks", "opens"]})
    assert pd.isna(out.loc[0, "click_rate"]) and pd.isna(out.loc[0, "ctor"])
    assert out.loc[1, "click_rate"] == 0.4


def test_a_single_hidden_part_takes_the_next_smallest_with_it():
    # month total 100 = 3 + 20 + 77: hiding 3 alone would let 100 - 20 - 77 reveal it
    frame = pd.DataFrame(
        {"month": ["m1"] * 3 + ["m2"] * 3, "segment": list("xyzxyz"), "members": [3, 20, 77, 2, 4, 90]}
    )
    out = suppress(frame, ["members"], groups=["month"])
    m1 = out[out["month"] == "m1"]["members"].tolist()
    assert pd.isna(m1[0]) and pd.isna(m1[1]) and m1[2] == 77
    m2 = out[out["month"] == "m2"]["members"].tolist()
    assert pd.isna(m2[0]) and pd.isna(m2[1]) and m2[2] == 90  # two hidden already: nothing more to hide


def _one_group_at_a_time(frame, counts, groups):
    """The rule as first written, a group at a time: the reference for the whole-column version."""
    hidden = {}
    for column in counts:
        mask = is_small(frame[column])
        for _, rows in frame.groupby(groups, dropna=False):
            index = rows.index
            part = mask.loc[index]
            if int(part.sum()) == 1 and len(index) > 1:
                values = pd.to_numeric(frame.loc[index, column], errors="coerce").where(~part)
                values = values[values > 0]
                if not values.empty:
                    mask.loc[values.idxmin()] = True
        hidden[column] = mask
    return hidden


def test_secondary_suppression_hides_what_the_group_at_a_time_rule_hides():
    rng = np.random.default_rng(13)
    for _ in range(200):
        rows = int(rng.integers(1, 40))
        frame = pd.DataFrame(
            {
                "month": rng.choice(["m1", "m2", "m3", None], rows),  # a missing key is a group too
                "segment": rng.choice(list("ab"), rows),
                # small, equal and zero counts, and missing ones
                "members": rng.choice([0, 1, 2, 4, 5, 5, 6, 9, 30, np.nan], rows),
                "new_members": rng.choice([0, 3, 7, 7, 12], rows),
            },
            index=rng.permutation(rows) + 100,  # labels, not positions
        )
        for groups in (["month"], ["month", "segment"]):
            out = suppress(frame, ["members", "new_members"], groups=groups)
            expected = _one_group_at_a_time(frame, ["members", "new_members"], groups)
            for column, mask in expected.items():
                shown = frame[column].astype("float64").where(~mask)
                pd.testing.assert_series_equal(out[column], shown, check_names=False)
            # repeated index labels (the rule goes by position): as on the same rows numbered 0..n
            repeated = frame.set_axis(rng.integers(0, 4, rows))
            again = suppress(repeated, ["members", "new_members"], groups=groups)
            assert list(again.index) == list(repeated.index)
            pd.testing.assert_frame_equal(again.reset_index(drop=True), out.reset_index(drop=True))


def test_format_count():
    assert format_count(None) == MARK
    assert format_count(18954) == "18.954"

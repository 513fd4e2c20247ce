"""Small-count suppression, in one place for every count and rate the dashboard shows (METRICS.md).

A count of 1 to 4 distinct people is not shown (it becomes missing, displayed as "< 5"), nor is any rate
computed from such a count. Zero is shown: it reveals no one. Where a total and all but one of its parts
would be shown, the smallest other part is suppressed too, so the hidden part cannot be derived.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

THRESHOLD = 5
MARK = "< 5"


def is_small(series: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(series, errors="coerce")
    return numeric.notna() & (numeric > 0) & (numeric < THRESHOLD)


def suppress(
    frame: pd.DataFrame,
    counts: Iterable[str],
    rates: dict[str, str | list[str]] | None = None,
    groups: list[str] | None = None,
    also: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Return a copy with small counts (and rates built on them) set to missing.

    `rates` maps a rate column to the count column(s) it is computed from. With `groups`, each group is a
    total and its parts (one column of counts per part row): secondary suppression applies within it. `also`
    hides more cells of a count column (a mask per column) before that, as a small count is hidden.
    """
    out = frame.copy()
    counts = list(counts)
    also = also or {}
    hidden = {
        column: is_small(out[column]) | (also[column].astype(bool) if column in also else False)
        for column in counts
    }
    if groups is not None:
        # per group and column, exactly one part hidden among several: the smallest part shown (above zero)
        # is hidden with it, the first of equals. Whole columns at once, by position (a loop over the groups
        # took a tenth of a second for a page's few hundred months; positions, not labels, hold for any index).
        group = out.groupby(groups, dropna=False, sort=False).ngroup().to_numpy()
        for column in counts:
            mask = hidden[column].to_numpy(dtype=bool, copy=True)
            alone = np.bincount(group, weights=mask)[group] == 1
            values = pd.to_numeric(out[column], errors="coerce").astype("float64").to_numpy()
            candidates = np.flatnonzero(alone & ~mask & (values > 0))  # a group of one has none
            if candidates.size:
                # the smallest in each group, the first of equals: sorted by group, value, position
                order = np.lexsort((candidates, values[candidates], group[candidates]))
                ranked = candidates[order]
                first = np.r_[True, group[ranked][1:] != group[ranked][:-1]]
                mask[ranked[first]] = True
            hidden[column] = pd.Series(mask, index=out.index)
    for column, mask in hidden.items():
        out[column] = out[column].astype("float64").where(~mask)
    for rate, bases in (rates or {}).items():
        bases = [bases] if isinstance(bases, str) else bases
        mask = pd.Series(False, index=out.index)
        for base in bases:
            mask |= hidden.get(base, is_small(frame[base]))
        out[rate] = out[rate].astype("float64").where(~mask)
    return out


def display(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """For tables and CSV downloads: suppressed values written as "< 5"."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].map(_as_text)
    return out


def _as_text(value) -> str:
    if value is None or pd.isna(value):
        return MARK
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def format_count(value) -> str:
    if value is None or pd.isna(value):
        return MARK
    return f"{int(value):,}".replace(",", ".")

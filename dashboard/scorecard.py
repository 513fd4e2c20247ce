"""The strategy scorecard's states, for the Strategie page and the yearly report alike.

A KPI reads as one of: on track, at risk, off track (value against target), "no target" (a value, but no
target for the year) or "no data" (no value for the year: nothing to compare). People-counting KPIs follow the
small-count rule: a value of 1 to 4 is shown as "< 5". Its status stays where it is the same for every value from
1 to 4 (a target of 5 or more: off track); where it is not (a target below 5), the status would tell the hidden
value apart, and reads "hidden" instead.
"""

from __future__ import annotations

import pandas as pd

from dashboard import formatting
from dashboard.privacy import MARK, THRESHOLD

# KPIs that count people: suppressed below 5 like every other count of people.
PEOPLE_KPIS = {"g2_homecoming_alumni", "g3_offer_uptake", "g4_volunteers", "g4_donors"}
STATES = ("on_track", "at_risk", "off_track", "no_target", "no_data", "hidden")
SYMBOLS = {"on_track": "✔", "at_risk": "▲", "off_track": "✖", "no_target": "○", "no_data": "–", "hidden": "◌"}
COLOURS = {
    "on_track": ("#0072B2", "#ffffff"),
    "at_risk": ("#E69F00", "#000000"),
    "off_track": ("#D55E00", "#ffffff"),
    "no_target": ("#ffffff", "#505050"),
    "no_data": ("#ffffff", "#505050"),
    "hidden": ("#ffffff", "#505050"),
}
LABELS = {
    "on_track": ("im Plan", "on track"),
    "at_risk": ("gefährdet", "at risk"),
    "off_track": ("verfehlt", "off track"),
    "no_target": ("ohne Zielwert", "no target"),
    "no_data": ("keine Daten", "no data"),
    "hidden": ("verborgen: < 5", "hidden: < 5"),
}
PARTIAL = ("vorläufig: laufendes Jahr", "partial: current year")


def prepare(kpis: pd.DataFrame) -> pd.DataFrame:
    """fct_strategy_kpis with `suppressed` (a people count of 1-4, value hidden) and `state`."""
    out = kpis.copy()
    value = pd.to_numeric(out["value"], errors="coerce")
    out["suppressed"] = out["kpi_id"].isin(PEOPLE_KPIS) & value.gt(0) & value.lt(THRESHOLD)
    out["value"] = value.where(~out["suppressed"])
    target = pd.to_numeric(out["target"], errors="coerce")
    no_data = value.isna()
    out["state"] = out["status"].where(~no_data, "no_data")
    out.loc[~no_data & target.isna(), "state"] = "no_target"
    out["state"] = out["state"].where(out["state"].isin(STATES), "no_target")
    out.loc[out["suppressed"] & target.map(_tells_apart), "state"] = "hidden"
    return out


def status_for(value: float, target: float) -> str:
    """fct_strategy_kpis' rule: on track at the target, at risk from 90 % of it, off track below."""
    return "on_track" if value >= target else "at_risk" if value >= 0.9 * target else "off_track"


def _tells_apart(target) -> bool:
    """Whether the status against this target differs between hidden values (1 to 4)."""
    return not formatting.missing(target) and len({status_for(v, target) for v in range(1, THRESHOLD)}) > 1


def value_text(value, unit: str, suppressed: bool, lang: str) -> str:
    if suppressed:
        return MARK
    if formatting.missing(value):
        return formatting.EMPTY
    if unit == "share":
        return formatting.share(value, lang)
    return formatting.number(value, lang)


def state_label(state: str, lang: str) -> str:
    return LABELS[state][0 if lang == "de" else 1]


def badge(state: str, lang: str) -> str:
    """The status as a coloured badge that also says it in words (and a symbol): never colour alone."""
    background, text = COLOURS[state]
    return (
        f"<span class='kpi-status' data-status='{state}' style='background:{background};color:{text};"
        f"border:1px solid {COLOURS[state][0] if state in ('on_track', 'at_risk', 'off_track') else '#767676'};"
        f"border-radius:4px;padding:1px 6px;font-size:0.8em'>{SYMBOLS[state]} {state_label(state, lang)}</span>"
    )


def partial_badge(lang: str) -> str:
    text = PARTIAL[0 if lang == "de" else 1]
    return (
        f"<span class='kpi-partial' data-partial='true' style='border:1px dashed #505050;color:#505050;"
        f"border-radius:4px;padding:1px 6px;font-size:0.8em'>◔ {text}</span>"
    )

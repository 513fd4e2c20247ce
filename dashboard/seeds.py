"""The dbt seeds the dashboard shares with the SQL: vocabularies in their order, and the engagement score's
constants. Read from the CSV files that ship with the repository (dbt_project/seeds), so each list and number
is declared once, there, and the filters, chart colours and definition texts cannot drift from the marts."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
# Staging codes an exported value that no vocabulary seed lists as `other` (faculties, status groups).
OTHER = "other"


@cache
def seed(name: str) -> tuple[dict[str, str], ...]:
    """The rows of dbt_project/seeds/<name>.csv in file order, every value as text ('' where empty)."""
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def _ordered(name: str, code: str, order: str | None = None) -> list[str]:
    rows = seed(name)
    if order:
        rows = tuple(sorted(rows, key=lambda row: int(row[order])))
    return [row[code] for row in rows]


def faculties() -> list[str]:
    return [*_ordered("faculties", "faculty_code"), OTHER]


def status_groups() -> list[str]:
    return [*_ordered("status_groups", "status_group"), OTHER]


def regions() -> list[str]:
    return _ordered("regions", "region", "region_order")


def tiers() -> list[str]:
    """Engagement tiers from lowest to highest."""
    return _ordered("engagement_tiers", "engagement_tier", "tier_order")


def tier_colours() -> dict[str, str]:
    return {row["engagement_tier"]: row["colour"] for row in seed("engagement_tiers")}


def scoring(setting: str, applies_to: str = "") -> float:
    """One constant of engagement score v1 from seeds/engagement_scoring.csv, e.g. scoring("window_months")."""
    for row in seed("engagement_scoring"):
        if row["setting"] == setting and row["applies_to"] == applies_to:
            return float(row["value"])
    raise KeyError(f"engagement_scoring.csv has no setting {setting!r} for {applies_to!r}")

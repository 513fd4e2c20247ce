"""Where a club is: its catalogue coordinates (dim_clubs.latitude/longitude), else its city in the shipped
list of places (dashboard/assets/places.csv, built by scripts/make_places.py). Nothing is looked up online."""

from __future__ import annotations

import csv
import unicodedata
from functools import cache
from pathlib import Path

import pandas as pd

PLACES = Path(__file__).resolve().parent / "assets" / "places.csv"


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name).strip().casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@cache
def places() -> dict[tuple[str, str], tuple[float, float]]:
    """(normalised name, country code) -> (latitude, longitude); also keyed with country "" for any country."""
    found: dict[tuple[str, str], tuple[float, float]] = {}
    with PLACES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            point = (float(row["latitude"]), float(row["longitude"]))
            for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
                found.setdefault((_key(name), row["country_code"]), point)
                found.setdefault((_key(name), ""), point)
    return found


def locate(city, country_code=None) -> tuple[float, float] | None:
    if city is None or (isinstance(city, float) and pd.isna(city)) or not str(city).strip():
        return None
    table = places()
    code = "" if country_code is None or pd.isna(country_code) else str(country_code)
    return table.get((_key(city), code)) or table.get((_key(city), ""))


def with_coordinates(clubs: pd.DataFrame) -> pd.DataFrame:
    """Clubs with latitude/longitude filled from the places list where the catalogue gave none.

    `clubs` needs city and country_code; latitude/longitude columns are used where present."""
    out = clubs.copy()
    for column in ("latitude", "longitude"):
        if column not in out.columns:
            out[column] = float("nan")
    points = [locate(city, country) for city, country in zip(out["city"], out["country_code"], strict=True)]
    fallback_lat = pd.Series([p[0] if p else float("nan") for p in points], index=out.index)
    fallback_lon = pd.Series([p[1] if p else float("nan") for p in points], index=out.index)
    given = out["latitude"].notna() & out["longitude"].notna()
    out["latitude"] = out["latitude"].where(given, fallback_lat).astype("float64")
    out["longitude"] = out["longitude"].where(given, fallback_lon).astype("float64")
    return out

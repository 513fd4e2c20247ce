"""Build dashboard/assets/places.csv: where the club map puts a club whose catalogue row has no coordinates.

Run once by hand (the result is committed; the dashboard never looks a place up online):
    pip download --no-deps geopandas==0.14.4   # its wheel ships Natural Earth's populated places
    unzip geopandas-0.14.4-*.whl 'geopandas/datasets/naturalearth_cities/*'
    pip install pyshp
    python scripts/make_places.py geopandas/datasets/naturalearth_cities/naturalearth_cities.shp

Two public-domain sources, merged:
- Natural Earth's populated places (the capitals and major cities in geopandas' `naturalearth_cities`, public
  domain), with the country found by the shipped country shapes;
- `scripts/places_curated.csv`: the German and international cities the clubs catalogue names (German
  spelling first, other spellings as aliases), city-centre coordinates rounded to 0.01 degrees. A curated row
  wins over a Natural Earth one of the same name.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import shapefile  # pyshp

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "scripts" / "places_curated.csv"
COUNTRIES = ROOT / "dashboard" / "static" / "countries.geojson"
OUT = ROOT / "dashboard" / "assets" / "places.csv"


def inside(x: float, y: float, ring: list[list[float]]) -> bool:
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            hit = not hit
    return hit


def country_of(x: float, y: float, features: list[dict]) -> str:
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        if any(inside(x, y, polygon[0]) for polygon in polygons):
            return feature["id"]
    return ""


def main(shp: str) -> None:
    rows = {}
    with CURATED.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            rows[row["name"].casefold()] = {**row, "source": "curated"}
    known = {alias.casefold() for row in rows.values() for alias in row["aliases"].split("|") if alias}
    features = json.loads(COUNTRIES.read_text(encoding="utf-8"))["features"]
    for record in shapefile.Reader(shp, encoding="latin-1").iterShapeRecords():
        name = record.record[0]
        if name.casefold() in rows or name.casefold() in known:
            continue
        x, y = record.shape.points[0]
        rows[name.casefold()] = {
            "name": name,
            "aliases": "",
            "country_code": country_of(x, y, features),
            "latitude": f"{y:.2f}",
            "longitude": f"{x:.2f}",
            "source": "natural_earth",
        }
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["name", "aliases", "country_code", "latitude", "longitude", "source"], delimiter=";"
        )
        writer.writeheader()
        writer.writerows(sorted(rows.values(), key=lambda r: (r["country_code"], r["name"])))
    print(f"{len(rows)} places written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])

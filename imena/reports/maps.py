"""GeoJSON (RFC 7946) for the region and site maps (#17).

The export endpoints (`reports:sites_geojson`, the site's GeoJSON export) are
files for GIS users: audited as exports and limited to report.export. The maps
are pages every role that sees the site may read, so they read the same
geometry here, with what a map needs (each feature's page, status colour and
label) and nothing else.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from imena.burials.models import Grave, GraveKind, GraveStatus, Site
from imena.reports.selectors import plan_graves
from imena.reports.svg import STATUS_COLOURS

MASS_OUTLINE = "#9b1c1c"


def _point(lon: float | None, lat: float | None) -> dict[str, Any] | None:
    # RFC 7946: WGS84, longitude first (as the exports write it).
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [round(lon, 8), round(lat, 8)]}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def sites_collection(sites: QuerySet[Site]) -> dict[str, Any]:
    """One point per site with a position, linking to its site map."""
    features = []
    rows = sites.filter(lat__isnull=False, lon__isnull=False).annotate(
        n=Count("graves", filter=Q(graves__withdrawn=False))
    )
    for site in rows.order_by("code"):
        features.append(
            {
                "type": "Feature",
                "geometry": _point(site.lon, site.lat),
                "properties": {
                    "layer": "site",
                    "code": site.code,
                    "name": site.name,
                    "region": site.region,
                    "graves": site.n,
                    "label": ngettext(
                        "%(name)s: %(n)d grave", "%(name)s: %(n)d graves", site.n
                    )
                    % {"name": site.name, "n": site.n},
                    "url": reverse("reports:site_map", args=[site.pk]),
                },
            }
        )
    return _collection(features)


def graves_collection(site: Site) -> dict[str, Any]:
    """The site (point, boundary) and every grave with a latitude/longitude."""
    status_label = {k: str(v) for k, v in GraveStatus.choices}
    features: list[dict[str, Any]] = []
    if site.boundary:
        features.append(
            {
                "type": "Feature",
                "geometry": site.boundary,
                "properties": {"layer": "site_boundary"},
            }
        )
    url = reverse("burials:grave_detail", args=[987654321]).replace("987654321", "%d")
    for g in plan_graves(site):
        if g.lat is None or g.lon is None:
            continue
        status = status_label.get(g.status, g.status)
        features.append(
            {
                "type": "Feature",
                "geometry": _point(g.lon, g.lat),
                "properties": {
                    "layer": "grave",
                    "ref": g.ref,
                    "label": f"{g.marker or g.ref} · {status}",
                    "status": g.status,
                    "colour": STATUS_COLOURS.get(g.status, "#444444"),
                    "mass": g.kind == GraveKind.MASS,
                    "url": url % g.pk,
                },
            }
        )
    # Mass graves last: drawn on top, their outline is never hidden.
    features.sort(key=lambda f: bool(f["properties"].get("mass")))
    return _collection(features)


def graves_without_position(site: Site) -> int:
    return (
        Grave.objects.filter(site=site, withdrawn=False)
        .filter(Q(lat__isnull=True) | Q(lon__isnull=True))
        .count()
    )


def legend() -> list[tuple[str, str]]:
    return [(str(label), STATUS_COLOURS[value]) for value, label in GraveStatus.choices]


TILE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


def mbtiles_tile(path: str | Path, z: int, x: int, y: int) -> tuple[bytes, str] | None:
    """One raster tile (XYZ numbering) of an MBTiles file, with its content type.

    MBTiles stores rows in TMS order (y from the south), so y is flipped. None
    when the file has no such tile or is not a raster MBTiles.
    """
    if not 0 <= z <= 30 or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        meta = db.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
        content_type = TILE_TYPES.get((meta[0] if meta else "png").lower())
        if content_type is None:
            return None
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
            "AND tile_row = ?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
    return (bytes(row[0]), content_type) if row else None

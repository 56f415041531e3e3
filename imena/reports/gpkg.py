"""A GeoPackage (OGC 12-128r18, version 1.2) writer with the standard library (#17).

Only what a site's map layers need: vector feature tables in WGS 84
(EPSG:4326) with POINT and MULTIPOLYGON geometries, written with `sqlite3`
(no GDAL). Each geometry is a GeoPackageBinary blob: the "GP" header (version
0, little-endian, the SRS id, an x/y envelope for polygons) followed by the
geometry as little-endian WKB.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10200  # GeoPackage 1.2
WGS84 = 4326
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
WKB_POINT, WKB_MULTIPOLYGON, WKB_POLYGON = 1, 6, 3

Ring = Sequence[Sequence[float]]


def _ring(ring: Ring) -> bytes:
    out = [struct.pack("<I", len(ring))]
    out.extend(struct.pack("<dd", float(p[0]), float(p[1])) for p in ring)
    return b"".join(out)


def _polygon(rings: Sequence[Ring]) -> bytes:
    body = b"".join(_ring(r) for r in rings)
    return struct.pack("<BII", 1, WKB_POLYGON, len(rings)) + body


def geometry_blob(geometry: dict[str, Any] | None) -> bytes | None:
    """A GeoJSON Point, Polygon or MultiPolygon as a GeoPackageBinary blob.

    Polygons become MultiPolygons (one geometry type per table) and carry their
    envelope in the header; points carry none (their envelope is the point).
    """
    if not geometry:
        return None
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        wkb = struct.pack("<BIdd", 1, WKB_POINT, float(coords[0]), float(coords[1]))
        return struct.pack("<2sBBi", b"GP", 0, 0b00000001, WGS84) + wkb
    polygons = [coords] if kind == "Polygon" else coords
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"unsupported geometry {kind}")
    wkb = struct.pack("<BII", 1, WKB_MULTIPOLYGON, len(polygons))
    wkb += b"".join(_polygon(p) for p in polygons)
    xs = [p[0] for poly in polygons for r in poly for p in r]
    ys = [p[1] for poly in polygons for r in poly for p in r]
    # Flags: little-endian (bit 0), envelope [minx, maxx, miny, maxy] (bits 1-3 = 1).
    header = struct.pack("<2sBBi", b"GP", 0, 0b00000011, WGS84)
    envelope = struct.pack("<4d", min(xs), max(xs), min(ys), max(ys))
    return header + envelope + wkb


@dataclass
class Layer:
    """One feature table: its geometry type and typed attribute columns."""

    name: str
    geometry_type: str  # POINT or MULTIPOLYGON
    columns: list[tuple[str, str]]  # (name, SQLite type)
    extent: list[float] = field(default_factory=list)  # min_x, min_y, max_x, max_y

    def widen(self, geometry: dict[str, Any] | None) -> None:
        if not geometry:
            return
        coords = geometry["coordinates"]
        if geometry["type"] == "Point":
            points = [coords]
        elif geometry["type"] == "Polygon":
            points = [p for r in coords for p in r]
        else:
            points = [p for poly in coords for r in poly for p in r]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = [min(xs), min(ys), max(xs), max(ys)]
        if self.extent:
            box = [
                min(box[0], self.extent[0]),
                min(box[1], self.extent[1]),
                max(box[2], self.extent[2]),
                max(box[3], self.extent[3]),
            ]
        self.extent = box


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_core(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {USER_VERSION}")
    db.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (
          srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (
          table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '',
          last_change DATETIME NOT NULL
            DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
          CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id)
            REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (
          table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
          z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
          CONSTRAINT uk_gc_table_name UNIQUE (table_name),
          CONSTRAINT fk_gc_tn FOREIGN KEY (table_name)
            REFERENCES gpkg_contents(table_name),
          CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id)
            REFERENCES gpkg_spatial_ref_sys (srs_id));
        """
    )
    db.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("WGS 84 geodetic", WGS84, "EPSG", 4326, WGS84_WKT, "longitude/latitude"),
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
        ],
    )


def write_gpkg(
    path: Path,
    layers: list[Layer],
    features: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any]]],
) -> int:
    """Write the layers' feature tables from (layer name, geometry, properties).

    A feature's properties fill the layer's columns by name (others are left
    out); its geometry may be None. Returns the number of features written.
    """
    by_name = {layer.name: layer for layer in layers}
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    n = 0
    try:
        _create_core(db)
        for layer in layers:
            columns = "".join(f", {_quote(c)} {t}" for c, t in layer.columns)
            db.execute(
                f"CREATE TABLE {_quote(layer.name)} (fid INTEGER PRIMARY KEY "
                f"AUTOINCREMENT, geom {layer.geometry_type}{columns})"
            )
            db.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)"
                " VALUES (?, 'features', ?, ?)",
                (layer.name, layer.name, WGS84),
            )
            db.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
                (layer.name, layer.geometry_type, WGS84),
            )
        for name, geometry, properties in features:
            layer = by_name[name]
            names = ["geom"] + [c for c, _t in layer.columns]
            values = [geometry_blob(geometry)]
            values += [properties.get(c) for c, _t in layer.columns]
            db.execute(
                f"INSERT INTO {_quote(name)} ({', '.join(map(_quote, names))}) "
                f"VALUES ({', '.join('?' * len(names))})",
                values,
            )
            layer.widen(geometry)
            n += 1
        for layer in layers:
            if layer.extent:
                db.execute(
                    "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, "
                    "max_y = ? WHERE table_name = ?",
                    (*layer.extent, layer.name),
                )
        db.commit()
    finally:
        db.close()
    return n

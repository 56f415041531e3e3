"""Grave positions from a site survey CSV (#17): grave number, latitude, longitude.

    grave,lat,lon
    12,49.190012,37.280034
    БМ-1,49.190200,37.280600

The header names the columns (`grave`, `number` or `ref`; `lat`/`latitude`;
`lon`/`longitude`), comma- or semicolon-separated, WGS84 decimal degrees; or
`easting`/`northing` in the coordinate system given by its EPSG code (e.g.
32637, UTM zone 37N), converted to WGS84 with pyproj. A
grave is found by its number as on the marker (normalised: "№ 12" = "12") or by
its register number. Parsing refuses the whole file at the first bad row, with
its line number; `services.grave_positions_import` applies it all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imena.burials.models import Grave
from imena.burials.numbering import normalise_grave_number

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from imena.burials.models import Site

GRAVE_COLUMNS = ("grave", "number", "ref")
LAT_COLUMNS = ("lat", "latitude")
LON_COLUMNS = ("lon", "longitude", "lng")
EASTING_COLUMNS = ("easting", "e")
NORTHING_COLUMNS = ("northing", "n")
METRES_PER_DEG_LAT = 110_540.0
METRES_PER_DEG_LON_AT_EQUATOR = 111_320.0


class SurveyError(ValueError):
    """A survey the import refuses, with the line (1 = header) it stopped at."""

    def __init__(
        self, message: str, line: int | None = None, *, item: bool = False
    ) -> None:
        self.line = line
        if line is None:
            text = message
        elif item:  # GeoJSON feature or GPX waypoint, counted from 1
            text = _("item %(line)d: %(message)s") % {"line": line, "message": message}
        else:
            text = _("line %(line)d: %(message)s") % {"line": line, "message": message}
        super().__init__(text)


@dataclass(frozen=True)
class SurveyRow:
    line: int
    grave: str
    key: str  # the normalised number ("" when the value has none)
    lat: float
    lon: float
    item: bool = False  # `line` counts GeoJSON features or GPX waypoints


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for i, name in enumerate(header):
        if name.strip().lower().lstrip("\ufeff") in names:
            return i
    return None


def _coordinate(
    value: str, low: float, high: float, name: str, line: int, item: bool = False
) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise SurveyError(
            _("%(name)s %(value)r is not a number") % {"name": name, "value": value},
            line,
            item=item,
        ) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise SurveyError(
            _("%(name)s %(value)s is outside %(low)s to %(high)s")
            % {"name": name, "value": value.strip(), "low": low, "high": high},
            line,
            item=item,
        )
    return number


def _projected(epsg: int | None) -> Any:
    """A function (easting, northing) -> (lon, lat) from EPSG:`epsg` to WGS84."""
    # pyproj is heavy (its projection database): loaded only for projected files.
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    if epsg is None:
        raise SurveyError(
            _("easting/northing need the EPSG code of their coordinate system"), 1
        )
    try:
        crs = CRS.from_epsg(epsg)
    except CRSError:
        raise SurveyError(
            _("EPSG:%(code)s is not a known coordinate system") % {"code": epsg}
        ) from None
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform


def parse_survey_csv(text: str, *, epsg: int | None = None) -> list[SurveyRow]:
    """Every row of the survey, or SurveyError for the first bad one."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        raise SurveyError(_("the file is empty"))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = next(reader)
    grave_i = _column(header, GRAVE_COLUMNS)
    lat_i = _column(header, LAT_COLUMNS)
    lon_i = _column(header, LON_COLUMNS)
    project = None
    if lat_i is None or lon_i is None:
        lon_i = _column(header, EASTING_COLUMNS)
        lat_i = _column(header, NORTHING_COLUMNS)
        if grave_i is not None and lat_i is not None and lon_i is not None:
            project = _projected(epsg)
    if grave_i is None or lat_i is None or lon_i is None:
        raise SurveyError(
            _(
                "the header needs the columns grave, lat and lon (or easting and "
                "northing) (found: %(found)s)"
            )
            % {"found": ", ".join(header)},
            1,
        )
    rows: list[SurveyRow] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) < len(header):
            raise SurveyError(
                _("%(n)d values, the header has %(m)d")
                % {"n": len(values), "m": len(header)},
                line,
            )
        grave = values[grave_i].strip()
        if not grave:
            raise SurveyError(_("no grave number"), line)
        if project is None:
            lat = _coordinate(values[lat_i], -90, 90, "lat", line)
            lon = _coordinate(values[lon_i], -180, 180, "lon", line)
        else:
            east = _coordinate(values[lon_i], -1e8, 1e8, "easting", line)
            north = _coordinate(values[lat_i], -1e8, 1e8, "northing", line)
            lon, lat = project(east, north)
            if not (math.isfinite(lat) and math.isfinite(lon)):
                raise SurveyError(
                    _("%(e)s, %(n)s is outside EPSG:%(code)s")
                    % {"e": east, "n": north, "code": epsg},
                    line,
                )
        key = normalise_grave_number(grave) or grave
        if key in seen:
            raise SurveyError(
                _("grave %(grave)s is also on line %(other)d")
                % {"grave": grave, "other": seen[key]},
                line,
            )
        seen[key] = line
        rows.append(SurveyRow(line, grave, key, lat, lon))
    if not rows:
        raise SurveyError(_("the file has no rows"))
    return rows


def distance_m(
    lat1: float | None, lon1: float | None, lat2: float, lon2: float
) -> float | None:
    """Metres between two nearby points (equirectangular); None without a start."""
    if lat1 is None or lon1 is None:
        return None
    kx = METRES_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * METRES_PER_DEG_LAT)


@dataclass
class SurveyMove:
    line: int
    grave: Grave
    before: tuple[float | None, float | None]
    after: tuple[float, float]
    moved_m: float | None  # None: the grave had no latitude/longitude before

    @property
    def changed(self) -> bool:
        return self.before != self.after


def survey_moves(
    site: Site, rows: list[SurveyRow], *, graves: QuerySet[Grave] | None = None
) -> list[SurveyMove]:
    """Which grave each row moves and by how much; nothing is written.

    Every row must name exactly one non-withdrawn grave of the site, by its
    number or its register number, else SurveyError names the line.
    """
    if graves is None:
        graves = Grave.objects.filter(site=site, withdrawn=False)
    by_key: dict[str, list[Grave]] = {}
    for g in graves.order_by("pk"):
        for key in {g.number, g.ref}:
            if key:
                by_key.setdefault(key, []).append(g)
    moves: list[SurveyMove] = []
    for row in rows:
        found = by_key.get(row.key) or by_key.get(row.grave) or []
        if not found:
            raise SurveyError(
                _("no grave %(grave)s on site %(site)s")
                % {"grave": row.grave, "site": site.code},
                row.line,
                item=row.item,
            )
        if len(found) > 1:
            raise SurveyError(
                ngettext(
                    "%(n)d grave of the site has the number %(grave)s: "
                    "use the register number",
                    "%(n)d graves of the site have the number %(grave)s: "
                    "use the register number",
                    len(found),
                )
                % {"n": len(found), "grave": row.grave},
                row.line,
                item=row.item,
            )
        grave = found[0]
        moves.append(
            SurveyMove(
                line=row.line,
                grave=grave,
                before=(grave.lat, grave.lon),
                after=(row.lat, row.lon),
                moved_m=distance_m(grave.lat, grave.lon, row.lat, row.lon),
            )
        )
    return moves


def _row(n: int, grave: Any, lat: Any, lon: Any, seen: dict[str, int]) -> SurveyRow:
    grave = str(grave or "").strip()
    if not grave:
        raise SurveyError(_("no grave number"), n, item=True)
    lat = _coordinate(str(lat), -90, 90, "lat", n, item=True)
    lon = _coordinate(str(lon), -180, 180, "lon", n, item=True)
    key = normalise_grave_number(grave) or grave
    if key in seen:
        raise SurveyError(
            _("grave %(grave)s is also item %(other)d")
            % {"grave": grave, "other": seen[key]},
            n,
            item=True,
        )
    seen[key] = n
    return SurveyRow(n, grave, key, lat, lon, item=True)


def parse_survey_geojson(text: str) -> list[SurveyRow]:
    """Point features (RFC 7946, lon/lat) whose property grave, number, ref or name names the grave."""
    try:
        data = json.loads(text)
        features = (
            data["features"] if data.get("type") == "FeatureCollection" else [data]
        )
    except (ValueError, AttributeError, KeyError, TypeError):
        raise SurveyError(_("not a GeoJSON FeatureCollection")) from None
    rows: list[SurveyRow] = []
    seen: dict[str, int] = {}
    for n, feature in enumerate(features, start=1):
        geometry = (feature or {}).get("geometry") or {}
        props = (feature or {}).get("properties") or {}
        if (
            geometry.get("type") != "Point"
            or len(geometry.get("coordinates") or []) < 2
        ):
            raise SurveyError(_("not a point"), n, item=True)
        grave = next(
            (props[k] for k in ("grave", "number", "ref", "name") if props.get(k)), ""
        )
        lon, lat = geometry["coordinates"][:2]
        rows.append(_row(n, grave, lat, lon, seen))
    if not rows:
        raise SurveyError(_("the file has no rows"))
    return rows


def parse_survey_gpx(text: str) -> list[SurveyRow]:
    """GPX waypoints (<wpt lat lon><name>12</name></wpt>), the name being the grave."""
    try:
        root = ElementTree.fromstring(text.encode())
    except (ElementTree.ParseError, DefusedXmlException):
        raise SurveyError(_("not a GPX file")) from None
    rows: list[SurveyRow] = []
    seen: dict[str, int] = {}
    waypoints = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "wpt"]
    for n, wpt in enumerate(waypoints, start=1):
        name = next((c.text for c in wpt if c.tag.rsplit("}", 1)[-1] == "name"), "")
        rows.append(_row(n, name, wpt.get("lat"), wpt.get("lon"), seen))
    if not rows:
        raise SurveyError(_("the file has no rows"))
    return rows


def parse_survey(
    text: str, filename: str = "", *, epsg: int | None = None
) -> list[SurveyRow]:
    """A survey file by its extension: .geojson/.json, .gpx, else CSV."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("geojson", "json"):
        return parse_survey_geojson(text)
    if suffix == "gpx":
        return parse_survey_gpx(text)
    return parse_survey_csv(text, epsg=epsg)

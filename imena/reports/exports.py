"""Exports of a site: CSV and XLSX tables, GeoJSON, the full JSON, the PDF summary.

Every export is written to a temporary file first (bounded memory: rows are
streamed from the database and xlsxwriter runs in constant-memory mode), its
SHA-256 is computed, and only then is it handed out and audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from imena.burials.models import Grave, Site
from imena.core.times import iso_time
from imena.identification.models import Identification
from imena.reports import selectors
from imena.reports.files import ExportFile, export_file, temp_path
from imena.reports.gpkg import Layer, write_gpkg
from imena.reports.pdf import export_summary_pdf
from imena.reports.sitejson import export_site_file

if TYPE_CHECKING:
    from imena.reports.access import Audience
    from imena.reports.sitejson import RecordCounts

# A spreadsheet runs a cell that starts with one of these as a formula (or a
# DDE command). Such text is neutralised with a leading single quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The export cannot be made (unknown dataset, format, or nothing to show)."""


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A database value as a spreadsheet/CSV cell: numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return iso_time(value)  # the site's zone with its offset, to the second
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralise(str(value))


@dataclass(frozen=True)
class Table:
    """A tabular dataset of one site."""

    key: str
    title: Any  # lazy text
    capability: str
    columns: Callable[[], list[str]]
    rows: Callable[[Audience, Site], Iterable[list[Any]]]
    available: Callable[[], bool] = lambda: True


# --- Graves --------------------------------------------------------------------

GRAVE_COLUMNS = [
    "ref",
    "marker_text",
    "number",
    "kind",
    "status",
    "bodies_expected",
    "x",
    "y",
    "lat",
    "lon",
    "notes",
    "withdrawn",
    "withdrawn_reason",
    "created",
    "updated",
]


def graves_queryset(site: Site) -> QuerySet[Grave]:
    return Grave.objects.filter(site=site).order_by("ref")


def grave_rows(audience: Audience, site: Site) -> Iterator[list[Any]]:
    rows = graves_queryset(site).values_list(*GRAVE_COLUMNS)
    for row in rows.iterator(chunk_size=5000):
        yield list(row)


TABLES: dict[str, Table] = {
    "graves": Table(
        "graves",
        gettext_lazy("Graves"),
        "site.view",
        lambda: list(GRAVE_COLUMNS),
        grave_rows,
    ),
}


# --- Bodies, findings, evidence (imena.exhumations, when present) ------------------

BODY_COLUMNS = [
    ("pm_number", "pm_number"),
    ("grave", "grave__ref"),
    ("grave_marker", "grave__marker_text"),
    ("kind", "kind"),
    ("category", "category"),
    ("exhumation_date", "exhumation__date"),
    ("sex", "pm__sex"),
    ("sex_certainty", "pm__sex_certainty"),
    ("age_min", "pm__age_min"),
    ("age_max", "pm__age_max"),
    ("stature_min", "pm__stature_min"),
    ("stature_max", "pm__stature_max"),
    ("preservation", "pm__preservation"),
]
FINDING_COLUMNS = [
    ("pm_number", "pm_number"),
    ("grave", "grave__ref"),
    ("cause_of_death", "pm__cause_of_death"),
    ("cause_text", "pm__cause_of_death_text"),
    ("manner_of_death", "pm__manner_of_death"),
    ("ligature_marks", "pm__ligature_marks"),
    ("bound_hands", "pm__bound_hands"),
    ("gunshot_wounds", "pm__gunshot_wounds"),
    ("blunt_force", "pm__blunt_force"),
    ("fractures", "pm__fractures"),
    ("burn_marks", "pm__burn_marks"),
    ("torture_indicators", "pm__torture_indicators"),
    ("torture_consistency", "pm__torture_consistency"),
    ("findings", "pm__findings"),
]
EVIDENCE_COLUMNS = [
    ("number", "number"),
    ("kind", "kind"),
    ("grave", "grave__ref"),
    ("body", "body__pm_number"),
    ("description", "description"),
    ("seal_number", "seal_number"),
    ("sha256", "sha256"),
    ("holder", "holder"),
    ("created", "created"),
]


def _body_rows(
    columns: list[tuple[str, str]],
) -> Callable[[Audience, Site], Iterator[list[Any]]]:
    def rows(audience: Audience, site: Site) -> Iterator[list[Any]]:
        # Withdrawn bodies (recorded in error) are not rows; the site JSON keeps them.
        qs = selectors.current_bodies().filter(grave__site=site).order_by("pm_number")
        for row in qs.values_list(*[path for _n, path in columns]).iterator(
            chunk_size=5000
        ):
            yield list(row)

    return rows


def _evidence_rows(audience: Audience, site: Site) -> Iterator[list[Any]]:
    qs = selectors.evidence_items(site)
    names = [path for _n, path in EVIDENCE_COLUMNS]
    for row in qs.values_list(*names).iterator(chunk_size=5000):
        yield list(row)


TABLES["bodies"] = Table(
    "bodies",
    gettext_lazy("Bodies"),
    "postmortem.view",
    lambda: [n for n, _p in BODY_COLUMNS],
    _body_rows(BODY_COLUMNS),
)
TABLES["findings"] = Table(
    "findings",
    gettext_lazy("Post-mortem findings"),
    "postmortem.view",
    lambda: [n for n, _p in FINDING_COLUMNS],
    _body_rows(FINDING_COLUMNS),
)
TABLES["evidence"] = Table(
    "evidence",
    gettext_lazy("Evidence"),
    "evidence.view",
    lambda: [n for n, _p in EVIDENCE_COLUMNS],
    _evidence_rows,
)

IDENTIFICATION_COLUMNS = [
    ("pm_number", "body__pm_number"),
    ("grave", "body__grave__ref"),
    ("missing_person_case", "person__case_no"),
    ("status", "status"),
    ("posterior", "posterior"),
    ("proposed_by", "proposed_by__username"),
    ("proposed_at", "proposed_at"),
    ("reviewer", "confirmation__reviewer__username"),
    ("confirmed_at", "confirmation__confirmed_at"),
    ("closed_by", "closed_by__username"),
    ("close_reason", "close_reason"),
]


def _identification_rows(audience: Audience, site: Site) -> Iterator[list[Any]]:
    qs = Identification.objects.filter(body__grave__site=site).order_by(
        "body__pm_number", "pk"
    )
    for row in qs.values_list(*[p for _n, p in IDENTIFICATION_COLUMNS]).iterator(
        chunk_size=5000
    ):
        yield list(row)


TABLES["identifications"] = Table(
    "identifications",
    gettext_lazy("Identifications"),
    "identification.view",
    lambda: [n for n, _p in IDENTIFICATION_COLUMNS],
    _identification_rows,
)


def tables_for(audience: Audience) -> list[Table]:
    return [t for t in TABLES.values() if t.available() and audience.can(t.capability)]


# --- Writing -------------------------------------------------------------------


def write_csv(path: Path, columns: list[str], rows: Iterable[list[Any]]) -> int:
    n = 0
    # UTF-8 with a byte-order mark: Excel then reads Cyrillic correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            writer.writerow([cell(v) for v in row])
            n += 1
    return n


def write_xlsx(
    path: Path, columns: list[str], rows: Iterable[list[Any]], *, sheet: str = "data"
) -> int:
    # xlsxwriter is only needed for XLSX exports; imported on use.
    import xlsxwriter

    # constant_memory flushes each row to a temporary file as it is written.
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    bold = workbook.add_format({"bold": True})
    ws = workbook.add_worksheet(sheet[:31])
    for c, name in enumerate(columns):
        ws.write_string(0, c, neutralise(name), bold)
    n = 0
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            v = cell(value)
            if isinstance(v, int | float):
                ws.write_number(r, c, v)
            elif v != "":
                ws.write_string(r, c, v)
        n += 1
    ws.freeze_panes(1, 0)
    workbook.close()
    return n


def export_table(audience: Audience, site: Site, key: str, fmt: str) -> ExportFile:
    table = TABLES.get(key)
    if table is None or not table.available():
        raise ExportError(_("Unknown or unavailable dataset: %(key)s") % {"key": key})
    if not audience.can(table.capability):
        raise ExportError(_("Your role may not see this dataset."))
    path = temp_path("." + fmt)
    rows = table.rows(audience, site)
    if fmt == "csv":
        n = write_csv(path, table.columns(), rows)
    elif fmt == "xlsx":
        n = write_xlsx(path, table.columns(), rows, sheet=key)
    else:
        path.unlink()
        raise ExportError(_("Unknown format: %(fmt)s") % {"fmt": fmt})
    return export_file(
        path, filename=f"{site.code}-{key}.{fmt}", fmt=fmt, dataset=key, rows=n
    )


# --- GeoJSON ---------------------------------------------------------------------


def _point(lon: float | None, lat: float | None) -> dict[str, Any] | None:
    if lon is None or lat is None:
        return None
    # RFC 7946: WGS84, longitude first.
    return {"type": "Point", "coordinates": [round(lon, 8), round(lat, 8)]}


def geojson_features(sites: Iterable[Site]) -> Iterator[dict[str, Any]]:
    for site in sites:
        yield {
            "type": "Feature",
            "geometry": _point(site.lon, site.lat),
            "properties": {
                "layer": "site",
                "site": site.code,
                "name": site.name,
                "settlement": site.settlement,
                "region": site.region,
            },
        }
        if site.boundary:
            yield {
                "type": "Feature",
                "geometry": site.boundary,
                "properties": {"layer": "site_boundary", "site": site.code},
            }
        rows = (
            Grave.objects.filter(site=site, withdrawn=False)
            .order_by("ref")
            .values_list(
                "ref",
                "marker_text",
                "number",
                "kind",
                "status",
                "bodies_expected",
                "x",
                "y",
                "lat",
                "lon",
            )
        )
        for (
            ref,
            marker,
            number,
            kind,
            status,
            expected,
            x,
            y,
            lat,
            lon,
        ) in rows.iterator(chunk_size=5000):
            yield {
                "type": "Feature",
                "geometry": _point(lon, lat),
                "properties": {
                    "layer": "grave",
                    "site": site.code,
                    "ref": ref,
                    "marker": marker,
                    "number": number,
                    "kind": kind,
                    "status": status,
                    "bodies_expected": expected,
                    "x": x,
                    "y": y,
                },
            }


def write_geojson(path: Path, sites: Iterable[Site]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for feature in geojson_features(sites):
            if n:
                f.write(",\n")
            f.write(json.dumps(feature, ensure_ascii=False))
            n += 1
        f.write("\n]}\n")
    return n


def export_geojson(sites: Iterable[Site], *, filename: str) -> ExportFile:
    path = temp_path(".geojson")
    n = write_geojson(path, sites)
    return export_file(
        path, filename=filename, fmt="geojson", dataset="geojson", rows=n
    )


# --- GeoPackage ------------------------------------------------------------------

GPKG_LAYERS = {
    "site": (
        "sites",
        "POINT",
        [
            ("site", "TEXT"),
            ("name", "TEXT"),
            ("settlement", "TEXT"),
            ("region", "TEXT"),
        ],
    ),
    "site_boundary": ("site_boundaries", "MULTIPOLYGON", [("site", "TEXT")]),
    "grave": (
        "graves",
        "POINT",
        [
            ("site", "TEXT"),
            ("ref", "TEXT"),
            ("marker", "TEXT"),
            ("number", "TEXT"),
            ("kind", "TEXT"),
            ("status", "TEXT"),
            ("bodies_expected", "INTEGER"),
            ("x", "REAL"),
            ("y", "REAL"),
        ],
    ),
}


def export_gpkg(sites: Iterable[Site], *, filename: str) -> ExportFile:
    """The GeoJSON export's features as a GeoPackage: one table per layer."""
    layers = [
        Layer(name, kind, columns) for name, kind, columns in GPKG_LAYERS.values()
    ]
    features = (
        (GPKG_LAYERS[f["properties"]["layer"]][0], f["geometry"], f["properties"])
        for f in geojson_features(sites)
    )
    path = temp_path(".gpkg")
    n = write_gpkg(path, layers, features)
    return export_file(path, filename=filename, fmt="gpkg", dataset="gpkg", rows=n)


# --- One entry point ---------------------------------------------------------------


def produce(
    audience: Audience,
    site: Site,
    dataset: str,
    fmt: str,
    *,
    lang: str = "",
    with_analysis: bool = False,
) -> ExportFile:
    """Make one export of a site for the audience, or raise ExportError.

    ``with_analysis``: the site JSON also holds the stored analysis tables.
    """
    if fmt in ("csv", "xlsx"):
        return export_table(audience, site, dataset, fmt)
    if fmt == "geojson" and dataset in ("graves", "site"):
        return export_geojson([site], filename=f"{site.code}.geojson")
    if fmt == "gpkg" and dataset in ("graves", "site"):
        return export_gpkg([site], filename=f"{site.code}.gpkg")
    if fmt == "json" and dataset == "site":
        return export_site_file(audience, site, with_analysis=with_analysis)
    if fmt == "pdf" and dataset == "summary":
        return export_summary_pdf(audience, site, lang=lang)
    raise ExportError(
        _("Unknown export: %(dataset)s as %(fmt)s") % {"dataset": dataset, "fmt": fmt}
    )


def export_menu(
    site: Site, audience: Audience, counts: RecordCounts | None = None
) -> list[tuple[str, str]]:
    """(label, url) of every export of the site the audience may take.

    The full record's labels state its size when ``counts`` (stored earlier:
    :func:`sitejson.stored_record_counts`) are given; the menu never counts.
    """

    def url(dataset: str, fmt: str) -> str:
        return reverse("reports:site_export", args=[site.pk, dataset, fmt])

    links: list[tuple[str, str]] = [
        (_("Prosecutor's summary (PDF)"), url("summary", "pdf")),
    ]
    for table in tables_for(audience):
        links.append((f"{table.title} (CSV)", url(table.key, "csv")))
        links.append((f"{table.title} (XLSX)", url(table.key, "xlsx")))
    links.append((_("Graves (GeoJSON)"), url("graves", "geojson")))
    links.append((_("Graves (GeoPackage)"), url("graves", "gpkg")))
    if counts is None:
        links.append((_("Full site record (JSON)"), url("site", "json")))
        links.append(
            (
                _("Full site record with analysis tables (JSON)"),
                url("site", "json") + "?analysis=1",
            )
        )
        return links
    plain, analysis = counts.plain, counts.analysis
    links.append(
        (
            ngettext(
                "Full site record (JSON, %(n)s record)",
                "Full site record (JSON, %(n)s records)",
                plain,
            )
            % {"n": number_format(plain, force_grouping=True)},
            url("site", "json"),
        )
    )
    links.append(
        (
            ngettext(
                "Full site record with analysis tables (JSON, %(n)s record)",
                "Full site record with analysis tables (JSON, %(n)s records)",
                plain + analysis,
            )
            % {"n": number_format(plain + analysis, force_grouping=True)},
            url("site", "json") + "?analysis=1",
        )
    )
    return links

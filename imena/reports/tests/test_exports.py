from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
import struct
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from imena.audit.models import AuditEntry
from imena.burials import services

pytestmark = pytest.mark.django_db

HOSTILE = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tcmd": "'\tcmd",
    "\rcmd": "'\rcmd",
}


def export_url(site, dataset: str, fmt: str) -> str:
    return reverse("reports:site_export", args=[site.pk, dataset, fmt])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_csv_export_of_graves_is_audited_with_its_sha256(
    client, investigator, site
) -> None:
    client.force_login(investigator)
    response = client.get(export_url(site, "graves", "csv"))
    assert response.status_code == 200
    assert 'attachment; filename="izm-graves.csv"' in response["Content-Disposition"]
    data = body_of(response)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["ref", "marker_text"]
    assert len(rows) == 1 + 15  # every grave, the withdrawn one marked as such
    entry = AuditEntry.objects.filter(action="report.export").latest("seq")
    after = entry.after_data
    assert entry.actor == investigator
    assert after["sha256"] == hashlib.sha256(data).hexdigest()
    assert after["dataset"] == "graves" and after["format"] == "csv"


def test_an_xlsx_export_opens_with_the_same_rows(client, examiner, site) -> None:
    client.force_login(examiner)
    data = body_of(client.get(export_url(site, "graves", "xlsx")))
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "ref" and len(rows) == 16
    markers = {r[1] for r in rows[1:]}
    assert "Братська могила" in markers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_that_would_run_as_formulas_are_neutralised(
    client, examiner, site, fmt
) -> None:
    for text in HOSTILE:
        services.grave_create(
            actor=examiner, site=site, marker_text="x", notes=text, audit=False
        )
    client.force_login(examiner)
    data = body_of(client.get(export_url(site, "graves", fmt)))
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    else:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        ws = wb.active
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row), (  # type: ignore[union-attr]
            "no cell may be a formula"
        )
        rows = [
            [c if c is not None else "" for c in r]  # type: ignore[misc]
            for r in ws.iter_rows(values_only=True)  # type: ignore[union-attr]
        ]
    notes = {r[rows[0].index("notes")] for r in rows[1:]}
    if fmt == "xlsx":  # a carriage return is stored escaped; Excel decodes it
        notes = {n.replace("_x000D_", "\r") for n in notes}
    for hostile, safe in HOSTILE.items():
        assert hostile not in notes
        assert safe in notes
    # Numbers stay numbers: a negative grid coordinate is not text.
    if fmt == "xlsx":
        assert all(
            isinstance(v, float | int) for r in rows[1:] for v in [r[6]] if v != ""
        )


def test_geojson_is_a_feature_collection_in_longitude_latitude_order(
    client, investigator, site
) -> None:
    client.force_login(investigator)
    data = json.loads(body_of(client.get(export_url(site, "graves", "geojson"))))
    assert data["type"] == "FeatureCollection"
    site_feature = data["features"][0]
    assert site_feature["properties"]["layer"] == "site"
    assert site_feature["geometry"]["coordinates"] == [37.28, 49.19]
    graves = [f for f in data["features"] if f["properties"]["layer"] == "grave"]
    assert len(graves) == 14
    located = [g for g in graves if g["geometry"]]
    assert all(37 < g["geometry"]["coordinates"][0] < 38 for g in located)


def test_geojson_of_all_sites_needs_the_export_right(client, users, site) -> None:
    client.force_login(users["investigator"])
    response = client.get(reverse("reports:sites_geojson"))
    assert response.status_code == 200
    assert json.loads(body_of(response))["type"] == "FeatureCollection"
    client.force_login(users["field_recorder"])
    assert client.get(reverse("reports:sites_geojson")).status_code == 403


@pytest.mark.parametrize("role", ["investigator", "forensic_examiner", "administrator"])
def test_roles_with_the_export_right_may_export(client, users, site, role) -> None:
    client.force_login(users[role])
    assert client.get(export_url(site, "graves", "csv")).status_code == 200


@pytest.mark.parametrize("role", ["field_recorder", "dna_analyst", "family_liaison"])
def test_roles_without_the_export_right_get_403_and_no_file(
    client, users, site, role
) -> None:
    client.force_login(users[role])
    before = AuditEntry.objects.filter(action="report.export").count()
    exports = [
        ("graves", "csv"),
        ("site", "json"),
        ("summary", "pdf"),
        ("graves", "gpkg"),
    ]
    for dataset, fmt in exports:
        response = client.get(export_url(site, dataset, fmt))
        assert response.status_code == 403
        assert "Content-Disposition" not in response
    assert AuditEntry.objects.filter(action="report.export").count() == before


def test_an_outsider_gets_404_for_an_export(client, outsider, site) -> None:
    client.force_login(outsider)
    response = client.get(export_url(site, "graves", "xlsx"))
    assert response.status_code == 404
    assert "Content-Disposition" not in response


def test_an_unknown_dataset_or_format_is_a_404(client, investigator, site) -> None:
    client.force_login(investigator)
    assert client.get(export_url(site, "graves", "docx")).status_code == 404
    assert client.get(export_url(site, "secrets", "csv")).status_code == 404


def test_the_statistics_page_offers_exports_only_to_exporters(
    client, users, site
) -> None:
    client.force_login(users["investigator"])
    body = client.get(
        reverse("reports:site_statistics", args=[site.pk])
    ).content.decode()
    assert export_url(site, "summary", "pdf") in body
    assert export_url(site, "graves", "xlsx") in body


def _gpkg(client, site, tmp_path):
    response = client.get(export_url(site, "graves", "gpkg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geopackage+sqlite3"
    path = tmp_path / "site.gpkg"
    path.write_bytes(body_of(response))
    return path


def _point(blob: bytes) -> tuple[float, float]:
    # GeoPackageBinary: "GP", version 0, flags (little-endian, no envelope), SRS id.
    magic, version, flags, srs_id = struct.unpack("<2sBBi", blob[:8])
    assert (magic, version, flags, srs_id) == (b"GP", 0, 1, 4326)
    order, kind, x, y = struct.unpack("<BIdd", blob[8:])
    assert (order, kind) == (1, 1)  # little-endian WKB Point
    return x, y


def test_a_geopackage_export_holds_the_map_layers_read_back_with_sqlite3(
    client, investigator, site, tmp_path
) -> None:
    services.site_update(
        actor=investigator,
        site=site,
        reason="survey",
        boundary={
            "type": "Polygon",
            "coordinates": [
                [[37.27, 49.18], [37.29, 49.18], [37.29, 49.2], [37.27, 49.18]]
            ],
        },
    )
    client.force_login(investigator)
    path = _gpkg(client, site, tmp_path)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone() == (0x47504B47,)
    assert db.execute("PRAGMA user_version").fetchone() == (10200,)
    assert {r[0] for r in db.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")} == {
        -1,
        0,
        4326,
    }
    contents = db.execute(
        "SELECT table_name, data_type, srs_id, min_x, max_x FROM gpkg_contents"
    ).fetchall()
    assert {r[0] for r in contents} == {"sites", "site_boundaries", "graves"}
    assert all(r[1] == "features" and r[2] == 4326 for r in contents)
    assert dict(
        db.execute(
            "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"
        ).fetchall()
    ) == {
        "sites": "POINT",
        "site_boundaries": "MULTIPOLYGON",
        "graves": "POINT",
    }
    (blob,) = db.execute("SELECT geom FROM sites").fetchone()
    assert _point(blob) == (37.28, 49.19)  # longitude, latitude
    graves = db.execute("SELECT ref, geom FROM graves ORDER BY ref").fetchall()
    expected = {g.ref: (g.lon, g.lat) for g in site.graves.filter(withdrawn=False)}
    assert len(graves) == len(expected) == 14
    for ref, blob in graves:
        lon, lat = expected[ref]
        if lon is None or lat is None:
            assert blob is None
        else:
            assert _point(blob) == pytest.approx((lon, lat), abs=1e-8)
    (blob,) = db.execute("SELECT geom FROM site_boundaries").fetchone()
    magic, _v, flags, srs_id = struct.unpack("<2sBBi", blob[:8])
    assert (magic, flags, srs_id) == (b"GP", 0b11, 4326)  # with its x/y envelope
    assert struct.unpack("<4d", blob[8:40]) == (37.27, 37.29, 49.18, 49.2)
    assert struct.unpack("<BII", blob[40:49]) == (1, 6, 1)  # one MultiPolygon part
    db.close()
    entry = AuditEntry.objects.filter(action="report.export").latest("seq")
    assert entry.after_data["format"] == "gpkg"


@pytest.mark.skipif(
    not shutil.which("ogrinfo"), reason="GDAL's ogrinfo is not installed"
)
def test_gdal_opens_the_geopackage(client, investigator, site, tmp_path) -> None:
    client.force_login(investigator)
    path = _gpkg(client, site, tmp_path)
    out = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Layer name: graves" in out and "Geometry: Point" in out
    assert "Feature Count: 14" in out
    assert "ERROR" not in out

"""The region and site maps (#17): pages, their GeoJSON, access, the CSP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from config.settings import _tile_source
from imena.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_every_role_sees_the_site_map_with_every_grave_that_has_a_position(
    client, users, site, role
) -> None:
    client.force_login(users[role])
    page = client.get(reverse("reports:site_map", args=[site.pk]))
    assert page.status_code == 200
    assert reverse("reports:site_map_geojson", args=[site.pk]) in page.content.decode()
    data = client.get(reverse("reports:site_map_geojson", args=[site.pk])).json()
    graves = [f for f in data["features"] if f["properties"]["layer"] == "grave"]
    expected = site.graves.filter(withdrawn=False, lat__isnull=False, lon__isnull=False)
    assert {f["properties"]["url"] for f in graves} == {
        reverse("burials:grave_detail", args=[g.pk]) for g in expected
    }
    mass = [f for f in graves if f["properties"]["mass"]]
    assert len(mass) == 1
    lon, lat = graves[0]["geometry"]["coordinates"]
    assert 37 < lon < 38 and 49 < lat < 50  # RFC 7946: longitude first


def test_the_region_map_shows_the_sites_of_the_users_organisation_only(
    client, users, site, outsider
) -> None:
    client.force_login(users["investigator"])
    assert client.get(reverse("reports:region_map")).status_code == 200
    data = client.get(reverse("reports:region_map_geojson")).json()
    assert [f["properties"]["url"] for f in data["features"]] == [
        reverse("reports:site_map", args=[site.pk])
    ]
    client.force_login(outsider)
    assert client.get(reverse("reports:region_map_geojson")).json()["features"] == []
    for name in ("reports:site_map", "reports:site_map_geojson"):
        assert client.get(reverse(name, args=[site.pk])).status_code == 404


def test_the_map_page_has_no_inline_script_and_names_the_tile_url(
    client, users, site, settings
) -> None:
    settings.IMENA_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    client.force_login(users["investigator"])
    body = client.get(reverse("reports:site_map", args=[site.pk])).content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in body
    assert "<script>" not in body and " style=" not in body


def test_the_csp_admits_the_tile_host_only() -> None:
    assert _tile_source("") == []
    assert _tile_source("/tiles/{z}/{x}/{y}.png") == []
    assert _tile_source("https://tiles.example.org/{z}/{x}/{y}.png") == [
        "https://tiles.example.org"
    ]
    assert _tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == [
        "https://*.tile.example.org"
    ]
    assert _tile_source("http://127.0.0.1:8123/t/{z}/{x}/{y}.png") == [
        "http://127.0.0.1:8123"
    ]


def write_mbtiles(path, lat: float, lon: float, zooms=range(0, 23)) -> bytes:
    """An MBTiles file with the one tile covering (lat, lon) at each zoom."""
    import math
    import sqlite3
    from pathlib import Path

    png = (
        Path(__file__).resolve().parents[3] / "static/vendor/leaflet/images/layers.png"
    ).read_bytes()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
        db.execute(
            "CREATE TABLE tiles (zoom_level integer, tile_column integer, "
            "tile_row integer, tile_data blob)"
        )
        db.execute("INSERT INTO metadata VALUES ('format', 'png')")
        for z in zooms:
            n = 2**z
            x = int((lon + 180) / 360 * n)
            r = math.radians(lat)
            y = int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)
            db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, n - 1 - y, png))
    return png


def test_an_mbtiles_file_is_served_tile_by_tile_to_signed_in_users(
    client, users, site, settings, tmp_path
) -> None:
    path = tmp_path / "region.mbtiles"
    png = write_mbtiles(path, 49.19, 37.28, zooms=[0, 10])
    settings.IMENA_MAP_TILE_URL = ""
    settings.IMENA_MAP_MBTILES = str(path)
    tile = reverse(
        "reports:map_tile", args=[10, 618, 350]
    )  # XYZ (slippy map), y from the north
    assert client.get(tile).status_code == 302  # to the login page
    client.force_login(users["family_liaison"])
    response = client.get(tile)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == png
    assert client.get(reverse("reports:map_tile", args=[0, 0, 0])).status_code == 200
    assert client.get(reverse("reports:map_tile", args=[10, 0, 0])).status_code == 404
    assert client.get(reverse("reports:map_tile", args=[1, 5, 0])).status_code == 404
    body = client.get(reverse("reports:site_map", args=[site.pk])).content.decode()
    assert 'data-tile-url="/reports/map/tiles/{z}/{x}/{y}"' in body


def test_without_a_background_the_maps_draw_the_bundled_outline_of_ukraine(
    client, users, site, settings
) -> None:
    settings.IMENA_MAP_TILE_URL = settings.IMENA_MAP_MBTILES = ""
    client.force_login(users["investigator"])
    for url in (
        reverse("reports:region_map"),
        reverse("reports:site_map", args=[site.pk]),
    ):
        assert 'data-outline="/static/reports/ukraine-outline.geojson"' in (
            client.get(url).content.decode()
        )
    settings.IMENA_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert (
        'data-outline=""' in client.get(reverse("reports:region_map")).content.decode()
    )


def test_the_bundled_outline_is_ukraines_recognised_border_crimea_included() -> None:
    path = (
        Path(__file__).resolve().parents[1] / "static/reports/ukraine-outline.geojson"
    )
    feature, oblasts = json.loads(path.read_text())["features"]
    assert feature["properties"]["layer"] == "outline"
    assert feature["geometry"]["type"] == "MultiLineString"
    points = [p for line in feature["geometry"]["coordinates"] for p in line]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    # Uzhhorod's west, Luhansk oblast's east, Chernihiv's north, Crimea's south coast.
    assert min(lons) < 22.3 and max(lons) > 40.0
    assert max(lats) > 52.2 and min(lats) < 44.5


def _crosses(
    lines: list[list[list[float]]], lat: float, west: float, east: float
) -> int:
    """How many times the lines cross the parallel ``lat`` between two longitudes."""
    count = 0
    for line in lines:
        for (x1, y1), (x2, y2) in zip(line, line[1:], strict=False):
            if (y1 > lat) != (y2 > lat):
                x = x1 + (x2 - x1) * (lat - y1) / (y2 - y1)
                count += west < x < east
    return count


def test_the_bundled_background_draws_the_oblasts_inside_the_border() -> None:
    path = (
        Path(__file__).resolve().parents[1] / "static/reports/ukraine-outline.geojson"
    )
    assert path.stat().st_size < 300_000
    border, oblasts = json.loads(path.read_text())["features"]
    assert oblasts["properties"]["layer"] == "oblasts"
    lines = oblasts["geometry"]["coordinates"]
    points = [p for line in lines for p in line]
    assert min(p[0] for p in points) > 22.0 and max(p[0] for p in points) < 40.3
    assert min(p[1] for p in points) > 44.3 and max(p[1] for p in points) < 52.4
    # Along 49.5 N, from the western border to the eastern one, the line passes
    # through about ten oblasts (Lviv ... Luhansk): as many internal lines.
    assert _crosses(lines, 49.5, 22.5, 40.2) >= 8
    # Crimea's northern boundary (Perekop isthmus) parts it from Kherson oblast.
    assert [p for p in points if 33.5 < p[0] < 34.0 and 46.0 < p[1] < 46.3]

"""The region and site maps (#17): pages, their GeoJSON, access, the CSP."""

from __future__ import annotations

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

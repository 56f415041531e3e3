from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from imena.accounts.models import Role
from imena.burials import services

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("role", Role.values)
def test_every_role_of_the_organisation_sees_the_site_plan(
    client, users, site, role
) -> None:
    client.force_login(users[role])
    assert client.get(reverse("reports:site_plan", args=[site.pk])).status_code == 200


def test_the_plan_links_every_grave_and_outlines_the_mass_grave(
    client, users, site
) -> None:
    client.force_login(users["field_recorder"])
    response = client.get(reverse("reports:site_plan_svg", args=[site.pk]))
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    links = root.findall(f".//{SVG}a")
    hrefs = {a.get("href") for a in links}
    graves = site.graves.filter(withdrawn=False, x__isnull=False)
    assert hrefs == {reverse("burials:grave_detail", args=[g.pk]) for g in graves}
    mass = root.findall(f".//{SVG}rect[@class='mass']")
    assert len(mass) == 1 and mass[0].get("stroke-dasharray")
    legend = "".join(root.find(f".//{SVG}g[@class='legend']").itertext())  # type: ignore[union-attr]
    assert "Exhumed" in legend and "Mass grave" in legend


def test_the_plan_page_names_graves_without_position_and_hides_withdrawn(
    client, users, site
) -> None:
    client.force_login(users["family_liaison"])
    body = client.get(reverse("reports:site_plan", args=[site.pk])).content.decode()
    assert "1 grave without a position" in body and "БН" in body
    assert "1 withdrawn grave is not shown" in body
    assert "№ 999" not in body


def test_graves_with_only_latitude_and_longitude_are_projected(
    client, examiner, org
) -> None:

    site = services.site_create(
        actor=examiner, organisation=org, code="geo", name="Geo"
    )
    for i in range(3):
        services.grave_create(
            actor=examiner,
            site=site,
            marker_text=str(i),
            lat=49.19 + i * 1e-4,
            lon=37.28,
        )
    client.force_login(examiner)
    response = client.get(reverse("reports:site_plan", args=[site.pk]))
    plan = response.context["plan"]
    assert plan.mode == "geo" and plan.placed == 3
    # 2e-4 degrees of latitude is about 22 metres.
    assert 21 < plan.height_m < 23

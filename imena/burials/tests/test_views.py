from __future__ import annotations

import pytest
from django.urls import reverse

from imena.accounts.models import Role
from imena.burials import services
from imena.burials.models import GraveStatus
from imena.burials.tests.factories import SiteFactory


@pytest.fixture
def site(org, examiner):
    site = SiteFactory(organisation=org, name="Лісове кладовище")
    for marker in ["№ 1", "№ 2", "12а", "123/2", "БН"]:
        services.grave_create(actor=examiner, site=site, marker_text=marker)
    return site


@pytest.mark.django_db
def test_login_is_required(client, site) -> None:
    response = client.get(reverse("burials:site_detail", args=[site.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_every_role_of_the_organisation_sees_its_sites(
    client, users, site, role
) -> None:
    client.force_login(users[role])
    response = client.get(reverse("burials:site_list"))
    assert response.status_code == 200
    assert "Лісове кладовище" in response.content.decode()


@pytest.mark.django_db
def test_an_outsider_sees_no_site_and_no_grave(client, outsider, site) -> None:
    client.force_login(outsider)
    assert (
        "Лісове кладовище"
        not in client.get(reverse("burials:site_list")).content.decode()
    )
    assert client.get(reverse("burials:site_detail", args=[site.pk])).status_code == 404
    grave = site.graves.first()
    assert (
        client.get(reverse("burials:grave_detail", args=[grave.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_search_by_number_finds_the_marker(client, examiner, site) -> None:
    client.force_login(examiner)
    response = client.get(reverse("burials:site_detail", args=[site.pk]), {"q": "12a"})
    body = response.content.decode()
    assert "12а" in body and "123/2" not in body


@pytest.mark.django_db
def test_htmx_search_returns_only_the_rows(client, examiner, site) -> None:
    client.force_login(examiner)
    response = client.get(
        reverse("burials:site_detail", args=[site.pk]),
        {"q": "123/2"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body and "123/2" in body


@pytest.mark.django_db
def test_filter_by_status(client, examiner, site) -> None:
    grave = site.graves.get(marker_text="БН")
    services.grave_set_status(
        actor=examiner, grave=grave, status=GraveStatus.EXHUMED, reason=""
    )
    client.force_login(examiner)
    response = client.get(
        reverse("burials:site_detail", args=[site.pk]), {"status": GraveStatus.EXHUMED}
    )
    body = response.content.decode()
    assert "БН" in body and "123/2" not in body


@pytest.mark.django_db
def test_paging(client, examiner, org) -> None:
    site = SiteFactory(organisation=org)
    for i in range(1, 61):
        services.grave_create(
            actor=examiner,
            site=site,  # type: ignore[arg-type]
            marker_text=f"№ {i}",
            audit=False,
        )
    client.force_login(examiner)
    url = reverse("burials:site_detail", args=[site.pk])  # type: ignore[attr-defined]
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "№ 60" in second and "№ 60" not in first


@pytest.mark.django_db
def test_grave_page_shows_history(client, examiner, site) -> None:
    grave = site.graves.get(marker_text="№ 1")
    services.grave_update(
        actor=examiner, grave=grave, reason="plank re-read", marker_text="№ 7"
    )
    client.force_login(examiner)
    body = client.get(reverse("burials:grave_detail", args=[grave.pk])).content.decode()
    assert "grave.update" in body and "№ 1" in body and "№ 7" in body


@pytest.mark.django_db
def test_a_prosecutor_corrects_a_grave_through_the_form(client, users, site) -> None:
    grave = site.graves.get(marker_text="№ 2")
    client.force_login(users[Role.INVESTIGATOR])
    response = client.post(
        reverse("burials:grave_edit", args=[grave.pk]),
        {
            "marker_text": "№ 2б",
            "kind": "individual",
            "status": "registered",
            "notes": "",
            "reason": "suffix missed",
        },
    )
    assert response.status_code == 302
    grave.refresh_from_db()
    assert grave.number == "2б"


@pytest.mark.django_db
def test_a_dna_analyst_may_not_correct_a_grave(client, users, site) -> None:
    grave = site.graves.first()
    client.force_login(users[Role.DNA_ANALYST])
    assert client.get(reverse("burials:grave_edit", args=[grave.pk])).status_code == 403


@pytest.mark.django_db
def test_the_page_switches_to_ukrainian(client, examiner, site) -> None:
    client.force_login(examiner)
    client.post(reverse("set_language"), {"language": "uk", "next": "/sites/"})
    body = client.get(reverse("burials:site_list")).content.decode()
    assert "Місця поховань" in body

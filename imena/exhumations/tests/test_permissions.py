"""One test per permission case: role allowed, role refused, other organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from imena.evidence import services as evidence_services


@pytest.fixture
def item(exhumation, recorder):
    return evidence_services.evidence_create(
        actor=recorder, grave=exhumation.grave, exhumation=exhumation, kind="physical"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [
        ("field_recorder", 200),
        ("forensic_examiner", 200),
        ("investigator", 200),
        ("dna_analyst", 200),
        ("administrator", 200),
        ("family_liaison", 403),
    ],
)
def test_who_may_view_a_body(client, body, users, role, status) -> None:
    client.force_login(users[role])
    assert client.get(body.get_absolute_url()).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [
        ("field_recorder", 302),
        ("forensic_examiner", 302),
        ("investigator", 403),
        ("dna_analyst", 403),
        ("family_liaison", 403),
    ],
)
def test_who_may_record_findings(client, body, users, role, status) -> None:
    client.force_login(users[role])
    url = reverse("exhumations:section", args=[body.pk, "findings"])
    assert client.post(url, {"findings": "x"}).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [
        ("field_recorder", 302),
        ("forensic_examiner", 302),
        ("investigator", 403),
        ("family_liaison", 403),
    ],
)
def test_who_may_record_an_exhumation(client, grave, users, role, status) -> None:
    client.force_login(users[role])
    url = reverse("exhumations:exhumation_create", args=[grave.pk])
    response = client.post(url, {"date": "2022-09-16", "team": "A", "bodies_found": 0})
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [
        ("investigator", 302),
        ("field_recorder", 302),
        ("dna_analyst", 403),
        ("family_liaison", 403),
    ],
)
def test_who_may_receive_evidence(client, item, users, role, status) -> None:
    client.force_login(users[role])
    url = reverse("exhumations:custody_create", args=[item.pk])
    assert (
        client.post(url, {"action": "handover", "to_person": "X"}).status_code == status
    )


@pytest.mark.django_db
def test_a_dna_analyst_may_not_see_evidence(client, item, users) -> None:
    client.force_login(users["dna_analyst"])
    assert client.get(item.get_absolute_url()).status_code == 403


@pytest.mark.django_db
def test_an_outsider_gets_404_everywhere(client, body, item, outsider) -> None:
    client.force_login(outsider)
    assert client.get(body.get_absolute_url()).status_code == 404
    assert client.get(body.exhumation.get_absolute_url()).status_code == 404
    assert client.get(item.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("exhumations:evidence_file", args=[item.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_recorder_of_another_organisation_gets_404_when_recording(
    client, body, other_org
) -> None:

    client.force_login(make_user(other_org, "field_recorder", "other-recorder"))
    url = reverse("exhumations:section", args=[body.pk, "findings"])
    assert client.post(url, {"findings": "x"}).status_code == 404


@pytest.mark.django_db
def test_the_grave_panel_is_hidden_from_roles_without_postmortem_view(
    client, body, users
) -> None:
    client.force_login(users["family_liaison"])
    page = client.get(body.grave.get_absolute_url()).content.decode()
    assert "IZM-PM-0001" not in page

"""A site's grave list finds and shows the person a body is identified as (#21)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.identification import services

pytestmark = pytest.mark.django_db


def test_an_identified_name_finds_and_labels_its_grave(
    client, candidate, users, site
) -> None:
    services.identification_propose(
        actor=users["forensic_examiner"],
        candidate=candidate,
        primary_identifier="dental",
        primary_reference="OD-2022-017",
        justification="Dental comparison by the odontologist identifies.",
    )
    person = candidate.person
    client.force_login(users["investigator"])
    url = reverse("burials:site_detail", args=[site.pk])
    page = client.get(url, {"q": person.family_name})
    graves = list(page.context["page"].object_list)
    assert [g.pk for g in graves] == [candidate.analysis.body.grave_id]
    cell = page.content.decode().split("grave-name", 1)[1].split("</td>", 1)[0]
    assert str(person) in cell and "(proposed)" in cell
    assert list(client.get(url, {"q": "Nobody"}).context["page"].object_list) == []


def test_body_identification_and_person_link_to_each_other(
    client, candidate, users
) -> None:
    ident = services.identification_propose(
        actor=users["forensic_examiner"],
        candidate=candidate,
        primary_identifier="dental",
        primary_reference="OD-2022-017",
        justification="Dental comparison by the odontologist identifies.",
    )
    body, person = ident.body, ident.person
    client.force_login(users["investigator"])
    ident_page = client.get(ident.get_absolute_url()).content.decode()
    assert body.get_absolute_url() in ident_page
    assert person.get_absolute_url() in ident_page
    for page in (body.get_absolute_url(), person.get_absolute_url()):
        html = client.get(page).content.decode()
        links = html.split('id="identifications"', 1)[1].split("</p>", 1)[0]
        assert ident.get_absolute_url() in links

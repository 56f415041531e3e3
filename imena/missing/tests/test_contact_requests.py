"""Contact requests are seen only by the organisation holding the matching
report, or by the national liaison for unmatched ones (#19 row 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from imena.missing.models import ContactRequest
from imena.missing.services import contact_request_create
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _request(person=None) -> ContactRequest:
    return contact_request_create(
        searched_name="Зюзюкевич Аполлінарій",
        searched_birth="1968",
        requester_name="Онука Зоя",
        requester_contact="+380 00 000 0000",
        person=person,
    )


def test_other_organisations_never_see_or_handle_a_request(
    client, org, other_org, liaison
) -> None:
    matched = _request(make_person(org, liaison))
    unmatched = _request()
    foreign = make_user(other_org, "family_liaison", "foreign_liaison")
    client.force_login(foreign)
    body = client.get(reverse("missing:contact_requests")).content.decode()
    assert "Онука Зоя" not in body
    for item in (matched, unmatched):
        url = reverse("missing:contact_request_handle", args=[item.pk])
        assert client.post(url).status_code == 404
        item.refresh_from_db()
        assert not item.handled


def test_the_own_organisation_sees_its_matched_request_only(
    client, org, liaison
) -> None:
    _request(make_person(org, liaison))
    _request()
    client.force_login(liaison)
    response = client.get(reverse("missing:contact_requests"))
    assert len(list(response.context["requests"])) == 1


def test_the_national_liaison_sees_unmatched_requests(
    client, other_org, settings
) -> None:
    unmatched = _request()
    national = make_user(other_org, "family_liaison", "national_liaison")
    settings.IMENA_NATIONAL_LIAISON_ORG = other_org.code
    client.force_login(national)
    url = reverse("missing:contact_request_handle", args=[unmatched.pk])
    assert client.post(url).status_code == 302
    unmatched.refresh_from_db()
    assert unmatched.handled

"""The grave form refuses nonsense with messages at the field (issue #21, item 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.burials import services
from imena.burials.models import Grave
from imena.burials.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(org):
    return SiteFactory(organisation=org, code="frm", name="Форма")


def post(client, users, site, **data):
    client.force_login(users["field_recorder"])
    fields = {"kind": "individual", **data}
    return client.post(reverse("burials:grave_create", args=[site.pk]), fields)


def test_an_empty_form_creates_nothing(client, users, site) -> None:
    response = post(client, users, site)
    assert response.status_code == 200
    form = response.context["form"]
    assert "marker_text" in form.errors and "no_position" in form.errors
    assert not Grave.objects.exists()


def test_a_latitude_out_of_range_is_said_at_the_field(client, users, site) -> None:
    response = post(client, users, site, marker_text="№ 5", lat="91", lon="37")
    form = response.context["form"]
    assert "lat" in form.errors and not form.non_field_errors()
    assert "grave_lat_range" not in response.content.decode()
    assert not Grave.objects.exists()


def test_no_position_must_be_said(client, users, site) -> None:
    response = post(client, users, site, marker_text="№ 5", no_position="on")
    assert response.status_code == 302
    assert Grave.objects.get().lat is None


def test_half_a_position_is_refused(client, users, site) -> None:
    response = post(client, users, site, marker_text="№ 5", lat="49.2")
    assert "lon" in response.context["form"].errors


def test_a_repeated_marker_is_shown_and_needs_a_reason(client, users, site) -> None:
    first = services.grave_create(
        actor=users["field_recorder"], site=site, marker_text="№ 999а"
    )
    response = post(client, users, site, marker_text="№ 999а", no_position="on")
    assert response.status_code == 200
    assert "duplicate_reason" in response.context["form"].errors
    assert first.get_absolute_url() in response.content.decode()
    assert Grave.objects.count() == 1
    response = post(
        client,
        users,
        site,
        marker_text="№ 999а",
        no_position="on",
        duplicate_reason="Two planks with one number, 20 m apart.",
    )
    assert response.status_code == 302
    second = Grave.objects.exclude(pk=first.pk).get()
    assert first.ref in second.notes and "20 m apart" in second.notes

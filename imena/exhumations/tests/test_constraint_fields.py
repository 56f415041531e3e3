"""Constraints a post-mortem form can violate are shown at their field (#21 item 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.exhumations import services
from imena.exhumations.models import Sample, ToothFinding

pytestmark = pytest.mark.django_db


def _section(body, name):
    return reverse("exhumations:section", args=[body.pk, name])


def test_an_upside_down_stature_is_said_at_the_field_in_ukrainian(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        _section(body, "biological"),
        {"stature_min": 190, "stature_max": 170},
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    form = response.context["form"]
    assert form.errors["stature_max"] == ["Не може бути меншим за попереднє значення."]
    assert not form.non_field_errors()
    assert "pm_stature_min_le_max" not in response.content.decode()


def test_a_tooth_recorded_twice_is_said_at_the_tooth(client, body, recorder) -> None:
    services.pm_item_add(
        actor=recorder,
        body=body,
        section="dental",
        data={"tooth": 18, "status": "present_sound"},
    )
    client.force_login(recorder)
    response = client.post(
        _section(body, "dental"), {"tooth": 18, "status": "present_sound"}
    )
    assert response.status_code in (200, 422)
    assert "tooth" in response.context["form"].errors
    assert ToothFinding.objects.count() == 1


def test_a_sample_number_used_twice_is_said_at_the_number(
    client, body, recorder
) -> None:
    data = {
        "sample_id": "IZM-PM-0001-T1",
        "sample_type": "tooth",
        "tooth": 47,
        "taken_by": "Експерт",
        "taken_on": "2022-09-17",
        "status": "collected",
    }
    client.force_login(recorder)
    url = reverse("exhumations:sample_create", args=[body.pk])
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "tooth": 46})
    assert "sample_id" in response.context["form"].errors
    assert Sample.objects.count() == 1

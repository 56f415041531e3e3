"""Exhumations are found by site, grave marker or PM number, and filtered (#21 item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_exhumations_are_searched_and_filtered(client, exhumation, users) -> None:
    client.force_login(users["forensic_examiner"])
    url = reverse("exhumations:index")

    def found(**params):
        return [e.pk for e in client.get(url, params).context["exhumations"]]

    assert found(q="IZM-PM-0001") == [exhumation.pk]
    assert found(q="Лісове") == [exhumation.pk]
    assert found(q="№ 12а") == [exhumation.pk]
    assert found(q="IZM-PM-9999") == []
    assert found(flagged="1") == []

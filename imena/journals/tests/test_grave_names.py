"""A site's grave list finds graves by the names in the journals and shows one (#21)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.journals import services

pytestmark = pytest.mark.django_db


def _graves(client, site, **params):
    response = client.get(reverse("burials:site_detail", args=[site.pk]), params)
    return response, [g.marker_text for g in response.context["page"].object_list]


def test_a_name_in_a_journal_finds_its_grave(client, imported, examiner) -> None:
    client.force_login(examiner)
    _page, found = _graves(client, imported, q="Коваленко")
    assert found == ["13"]
    _page, found = _graves(client, imported, q="Бондаренко")
    assert found == ["14"]  # Cyrillic row; the Latin "Serhii" spelling is its twin


def test_the_list_shows_the_reconciled_name(client, imported, examiner) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    client.force_login(examiner)
    page, _found = _graves(client, imported, q="13")
    assert "Коваленко" in page.content.decode().split("grave-name", 1)[1]

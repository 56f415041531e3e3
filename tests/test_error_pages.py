"""403 and 404 pages in the site's layout, saying what happened (issue #21, item 4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_field_recorder_imports_journals(client, users) -> None:
    client.force_login(users["field_recorder"])
    assert client.get(reverse("journals:upload")).status_code == 200


def test_a_refusal_is_a_page_of_the_site_naming_the_role(client, users) -> None:
    client.force_login(users["dna_analyst"])
    response = client.get(reverse("journals:upload"))
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="mainnav"' in body  # the site's menu, not a bare page
    assert "DNA analyst" in body and "administrator" in body


def test_a_missing_record_is_a_page_of_the_site(client, users) -> None:
    client.force_login(users["forensic_examiner"])
    response = client.get(reverse("burials:site_detail", args=[999999]))
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="mainnav"' in body and "another organisation" in body


def test_the_refusal_is_translated(client, users) -> None:
    client.force_login(users["dna_analyst"])
    response = client.get(reverse("journals:upload"), HTTP_ACCEPT_LANGUAGE="uk")
    body = response.content.decode()
    assert response.status_code == 403 and "адміністратора" in body


def test_the_favicon_is_served(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico")

"""The interface language is kept on the user's profile (#21 item 11)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from imena.accounts.models import User

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": "pw"}
    )
    assert response.status_code == 302


def test_the_language_chosen_on_the_login_page_is_kept(client, users) -> None:
    client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    _login(client, "forensic_examiner")
    assert client.get("/", follow=True)["Content-Language"] == "uk"
    assert User.objects.get(username="forensic_examiner").language == "uk"


def test_the_profile_language_follows_the_user_to_another_browser(users) -> None:
    first = Client()
    _login(first, "forensic_examiner")
    first.post(reverse("set_language"), {"language": "uk", "next": "/"})
    assert User.objects.get(username="forensic_examiner").language == "uk"

    other = Client()  # no language cookie
    _login(other, "forensic_examiner")
    response = other.get("/", follow=True)
    assert response["Content-Language"] == "uk"
    assert other.cookies["django_language"].value == "uk"


def test_an_anonymous_choice_changes_no_profile(client, users) -> None:
    client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    assert not User.objects.exclude(language="").exists()

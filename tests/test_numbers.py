"""Numbers as the reader's language writes them; one age is one number (#21 item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "shown", "not_shown"),
    [
        ("en", "age 62.4 when last seen", "62.4–62.4"),
        ("uk", "вік 62,4, коли бачили востаннє", "62.4"),
    ],
)
def test_an_exact_age_is_one_localised_number(
    client, org, users, lang, shown, not_shown
) -> None:
    from imena.missing.tests.factories import make_person

    person = make_person(
        org,
        actor=users["family_liaison"],
        birth_year=1960,
        birth_month=3,
        birth_day=1,
        last_seen_date=dt.date(2022, 7, 26),
    )
    client.force_login(users["investigator"])
    page = client.get(
        reverse("missing:person_detail", args=[person.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert shown in page and not_shown not in page

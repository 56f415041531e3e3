"""The Ukrainian pages show no English vocabulary word (#21 item 7).

The main pages of a body, a missing person and a review question are opened in
Ukrainian in a real browser; the visible text must not hold an English label or
a key of the shared vocabulary (``matching.vocabulary``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import browser_login
from imena.burials.models import Grave
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services as exhumations
from imena.missing import services as missing
from imena.missing.tests.factories import make_person
from matching import vocabulary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english_words() -> set[str]:
    """The vocabulary's English choice labels and its field keys."""
    words: set[str] = set()
    for f in vocabulary.FIELDS.values():
        if "_" in f.key:
            words.add(f.key)
        for c in f.choices:
            if re.fullmatch(r"[a-z][a-z ]{3,}", c.en):
                words.add(c.en)
            if "_" in c.code:
                words.add(c.code)
    # Evidence kinds and traits of a candidate's explanation.
    words |= {"physical", "particulars", "stature", "hair_colour", "eye_colour"}
    return words


def visible_english(page, words: set[str]) -> list[str]:
    # History cards included: they show labels, as the forms do (#21 item 5).
    text = page.evaluate('() => document.querySelector("main").innerText')
    return sorted(
        w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
    )


def test_the_ukrainian_pages_show_no_english_vocabulary(page, org, users) -> None:
    liaison = users["family_liaison"]
    site = SiteFactory(organisation=org, name="Лісове кладовище")
    grave: Grave = GraveFactory(site=site, marker_text="№ 7")  # type: ignore[assignment]
    ex = exhumations.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0007"],
    )
    body = ex.bodies.get()
    exhumations.pm_item_add(
        actor=users["field_recorder"],
        body=body,
        section="clothing",
        data={"category": "sweater", "colours": ["brown"], "material": "cotton"},
    )
    person = make_person(org, liaison, reporter_relationship="wife")
    missing.missing_person_add_item(
        actor=liaison,
        person=person,
        section="clothing",
        item={"category": "trousers", "colours": ["grey"], "material": "wool"},
    )
    words = english_words()
    page.context.add_cookies(
        [{"name": "django_language", "value": "uk", "url": page.base_url}]
    )
    seen: dict[str, list[str]] = {}
    browser_login(page, "forensic_examiner")
    for url in (
        body.get_absolute_url(),
        f"/exhumations/bodies/{body.pk}/clothing/",
    ):
        page.goto(page.base_url + url)
        seen[url] = visible_english(page, words)
    browser_login(page, "family_liaison")
    page.goto(page.base_url + person.get_absolute_url())
    seen[person.get_absolute_url()] = visible_english(page, words)
    assert "Одяг" in page.inner_text("main") or "одяг" in page.inner_text("main")
    assert not any(seen.values()), seen

"""An invalid post-mortem entry shows its error in place (issue #21, item 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import browser_login
from imena.burials.models import Grave
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_impossible_age_range_is_shown_not_swallowed(page, org, users) -> None:
    site = SiteFactory(organisation=org, name="Лісове кладовище")
    grave: Grave = GraveFactory(site=site, marker_text="№ 3")  # type: ignore[assignment]
    ex = services.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0003"],
    )
    body = ex.bodies.get()
    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/exhumations/bodies/{body.pk}/biological/")
    page.fill("#id_age_min", "70")
    page.fill("#id_age_max", "30")
    page.click("#section-form button[type=submit]")
    # The form comes back with status 422 and htmx must put it on the page.
    page.wait_for_selector("#section .errorlist")
    body.pm.refresh_from_db()
    assert body.pm.age_min is None

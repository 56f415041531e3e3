"""At 390 px the pages #21 names fit the screen, the menu included (#21 item 10)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import browser_login
from imena.burials.models import Grave, Site
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.evidence import services as evidence
from imena.evidence import storage
from imena.evidence.tests.factories import jpeg_with_exif
from imena.exhumations import services as exhumations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_OVERFLOW = """() => {
  const wide = [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || e.closest('.scroll-x, table, pre, svg')) { return false; }
    return r.right > window.innerWidth + 1;
  }).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {page: document.documentElement.scrollWidth - window.innerWidth, wide: wide.slice(0, 8)};
}"""


def test_the_pages_fit_a_phone(page, org, users, settings, tmp_path) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    site: Site = SiteFactory(organisation=org, name="Лісове кладовище")  # type: ignore[assignment]
    grave: Grave = GraveFactory(site=site, marker_text="№ 8")  # type: ignore[assignment]
    ex = exhumations.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0008"],
    )
    body = ex.bodies.get()
    item = evidence.evidence_create(
        actor=users["field_recorder"],
        grave=grave,
        kind="photo",
        staged=storage.stage([jpeg_with_exif()], name="grave.jpg"),
        body=body,
        description="Могила до розкриття",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "forensic_examiner")
    found = {}
    for path in (
        "/",
        site.get_absolute_url(),
        item.get_absolute_url(),
        body.get_absolute_url(),
        "/identification/",
        f"/reports/sites/{site.pk}/statistics/",
    ):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        result = page.evaluate(_OVERFLOW)
        if result["page"] > 1 or result["wide"]:
            found[path] = result
    assert not found, found

"""Accessibility in a real browser (#17): axe-core on the main pages, both languages."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.reports.tests.factories import add_bodies, populated_site
from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages(site) -> list[str]:
    grave = site.graves.filter(withdrawn=False).order_by("pk").first()
    return [
        "/",
        "/sites/",
        f"/sites/{site.pk}/",
        f"/graves/{grave.pk}/",
        "/journals/",
        "/exhumations/",
        "/missing/",
        "/identification/",
        "/reports/",
        f"/reports/sites/{site.pk}/statistics/",
        f"/reports/sites/{site.pk}/plan/",
        "/reports/map/",
        f"/reports/sites/{site.pk}/map/",  # with an orthophoto under the graves
        f"/reports/sites/{site.pk}/orthophotos/new/",
        "/audit/",
    ]


def _add_orthophoto(site, actor) -> None:
    from imena.evidence import services, storage
    from imena.evidence.tests.factories import orthophoto_png

    data, world = orthophoto_png(49.1902, 37.2806, metres=200.0)
    staged = storage.stage([data], name="drone.png")
    services.orthophoto_create(
        actor=actor, site=site, staged=staged, world_file=world, epsg=32637
    )


@pytest.mark.parametrize("language", ["en", "uk"])
def test_axe_finds_no_serious_or_critical_violation_on_the_main_pages(
    page, org, users, language, settings, tmp_path
) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    site = populated_site(org, users["forensic_examiner"])
    add_bodies(site, users["forensic_examiner"])
    _add_orthophoto(site, users["forensic_examiner"])
    browser_login(page, "investigator")
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": page.base_url,
            }
        ]
    )
    found = {}
    for path in _pages(site):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == language, path
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert not found, "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)


_TABLES_AT_PHONE_WIDTH = """() => [...document.querySelectorAll('main table')].flatMap((t) => {
  const out = [];
  const box = t.getBoundingClientRect();
  if (box.right > window.innerWidth + 1) { out.push('wider than the screen'); }
  const head = t.querySelector('thead');
  if (head && getComputedStyle(head).display === 'none') { out.push('headers hidden'); }
  const first = t.querySelector('tbody tr > :first-child');
  if (t.scrollWidth > t.clientWidth + 1) {
    if (getComputedStyle(t).overflowX !== 'auto') { out.push('cut off'); }
    if (first && getComputedStyle(first).position !== 'sticky') {
      out.push('first column scrolls away');
    }
  }
  return out.map((m) => (t.id || t.className || 'table') + ': ' + m);
})"""


def test_tables_are_readable_at_390_px_with_headers_and_a_sticky_first_column(
    page, org, users
) -> None:
    site = populated_site(org, users["forensic_examiner"])
    add_bodies(site, users["forensic_examiner"])
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "investigator")
    found = {}
    tables = 0
    for path in _pages(site):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        tables += page.locator("main table").count()
        problems = page.evaluate(_TABLES_AT_PHONE_WIDTH) + axe_violations(page)
        if problems:
            found[path] = problems
    assert tables >= 5
    assert not found, "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)

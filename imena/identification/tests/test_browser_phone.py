"""At 390 px the identification pages fit the screen (#21 items 6 and 10): the
site's candidate list, a body's candidates and a candidate's explanation."""

from __future__ import annotations

import pytest

from conftest import browser_login
from tests.test_browser_phone import _OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_identification_pages_fit_a_phone(page, site, body, candidate) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "forensic_examiner")
    found = {}
    for path in (
        f"/identification/sites/{site.pk}/",
        f"/identification/bodies/{body.pk}/",
        f"/identification/candidates/{candidate.pk}/",
    ):
        response = page.goto(page.base_url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        result = page.evaluate(_OVERFLOW)
        if result["page"] > 1 or result["wide"]:
            found[path] = result
    assert not found, found

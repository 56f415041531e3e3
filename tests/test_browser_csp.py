"""In a real browser: the Content-Security-Policy blocks nothing Imena needs."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.reports.tests.factories import populated_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_without_a_violation(page, org, users) -> None:
    site = populated_site(org, users["forensic_examiner"])
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    browser_login(page, "investigator")
    for path in (
        "/",
        f"/sites/{site.pk}/",
        f"/reports/sites/{site.pk}/statistics/",
        f"/reports/sites/{site.pk}/plan/",
        "/journals/upload/",
        "/audit/",
    ):
        response = page.goto(page.base_url + path)
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # htmx and Imena's own script loaded from static files.
    assert page.evaluate("typeof htmx") == "object"
    assert violations == []

"""Log in, open a site, find a grave, switch to Ukrainian: in a real browser."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.burials import services
from imena.burials.tests.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_recorder_finds_a_grave_and_switches_to_ukrainian(page, org, users) -> None:
    recorder = users["field_recorder"]
    site = SiteFactory(organisation=org, name="Лісове кладовище")
    for i in range(1, 80):
        services.grave_create(
            actor=recorder, site=site, marker_text=f"№ {i}", audit=False
        )
    services.grave_create(actor=recorder, site=site, marker_text="123/2")

    browser_login(page, "field_recorder")
    page.click("text=Лісове кладовище")
    page.wait_for_selector("h1:has-text('Лісове кладовище')")
    page.fill("#id_q", "123/2")
    # htmx replaces the rows as the recorder types.
    page.wait_for_selector("#grave-rows:has-text('1 grave found')")
    page.click("#grave-rows a:has-text('123/2')")
    page.wait_for_selector("h1:has-text('123/2')")
    assert "History" in page.content()

    page.click("button[lang=uk]")
    page.wait_for_selector("h1:has-text('Могила')")
    assert "Історія" in page.content()
    assert page.locator("html").get_attribute("lang") == "uk"

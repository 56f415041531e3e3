"""In a real browser: statistics, the site plan, and every export downloads."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.reports.tests.factories import populated_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_investigator_reads_statistics_opens_the_plan_and_downloads_every_export(
    page, org, users, tmp_path
) -> None:
    site = populated_site(org, users["forensic_examiner"])
    browser_login(page, "investigator")
    page.goto(page.base_url + f"/sites/{site.pk}/")
    page.click("a.button:has-text('Statistics')")
    page.wait_for_selector("h1:has-text('Statistics: Лісове кладовище')")
    assert page.locator("svg.chart").count() >= 1

    links = page.locator("#exports a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 5
    statistics_url = page.url
    for i in range(len(hrefs)):
        # Each download starts from a freshly loaded statistics page: in one
        # tab, after about ten downloads in a row, Chromium stopped starting
        # new ones (seen only when other tests had run first).
        if i:
            page.goto(statistics_url)
        # A shared 2-core machine can be slow to build the PDF: allow a minute.
        with page.expect_download(timeout=60_000) as info:
            page.locator("#exports a").nth(i).click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.stat().st_size > 0, hrefs[i]
        head = target.read_bytes()[:4]
        if target.suffix == ".pdf":
            assert head == b"%PDF"
        if target.suffix == ".xlsx":
            assert head == b"PK\x03\x04"

    page.click("a.button:has-text('Site plan')")
    page.wait_for_selector("svg.siteplan")
    graves = page.locator("svg.siteplan a")
    assert graves.count() == 13  # placed graves; БН has no position
    graves.first.click()
    page.wait_for_selector("h1:has-text('№')")

"""A DNA analyst screens a site in a real browser and reads the per-marker LRs."""

from __future__ import annotations

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_runs_a_screening_and_opens_the_lr_per_marker(
    page, small_case, site
) -> None:
    browser_login(page, "dna_analyst")
    page.click("nav.mainnav >> text=DNA")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "DNA profiles and screening"
    page.click("text=Run screening")
    page.fill("#id_top_k", "3")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    body = page.locator("#body-IZM-PM-0001")
    first = body.locator("tr.candidate").first
    case_no = small_case["families"][0].case_no
    assert case_no in first.inner_text()
    lr = first.locator("td.lr").inner_text()
    assert float(lr) > 1000
    first.locator("text=LR per marker").click()
    table = body.locator("table.per-marker")
    table.wait_for()
    assert "D3S1358" in table.inner_text()
    assert "TH01" in table.inner_text()

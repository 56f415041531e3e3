"""A row linked by a clustering rule, in a real browser (#15 item 2): the
row's page and its review question name the rule and list its evidence, in
English and Ukrainian, with no accessibility violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import browser_login
from imena.journals import selectors, services
from imena.journals.models import JournalRow
from imena.journals.tests.test_link_rule import MOVED
from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "rule", "fact"),
    [("en", "a nameless body buried temporarily and reburied", "the same death day"),
     ("uk", "тіло невідомого, поховане тимчасово й перепоховане",
      "той самий день смерті")],
)  # fmt: skip
def test_a_rule_made_link_is_explained_on_the_row_and_in_the_review(
    page, site, examiner, settings, tmp_path: Path, language: str, rule: str,
    fact: str,
) -> None:  # fmt: skip
    path = tmp_path / "fh.csv"
    path.write_bytes(MOVED.encode("cp1251"))
    journal = services.journal_get_or_create(actor=examiner, site=site, name="FH")
    services.journal_import(actor=examiner, journal=journal, path=path,
                            filename=path.name)  # fmt: skip
    services.reconcile_site(actor=examiner, site=site)
    first = JournalRow.objects.get(row_number=2)
    item = selectors.review_queue(site).get(kind="row_without_grave", rows=first)

    browser_login(page, "forensic_examiner")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
          "url": page.base_url}]
    )  # fmt: skip
    page.goto(page.base_url + f"/journals/rows/{first.pk}/")
    link = page.locator("#row-link .link-rule")
    link.wait_for()
    assert rule in link.inner_text()
    assert fact in page.locator("#row-link ul.link-evidence").inner_text()
    assert page.locator("#row-link ul.link-evidence li").count() >= 4
    assert page.locator("svg.waterfall").count() == 0  # the pair was never scored
    assert axe_violations(page) == []

    page.goto(page.base_url + f"/journals/review/{item.pk}/")
    why = page.locator("#why .link-rule")
    why.wait_for()
    assert rule in why.inner_text()
    assert axe_violations(page) == []

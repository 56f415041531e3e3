"""The review queue with the keyboard only (#17): open an item, decide, see it recorded."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.journals import selectors, services
from imena.journals.models import JournalRow, LinkDecision, ReviewItem
from tests.a11y import axe_violations, choose_with_keys, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_examiner_decides_a_review_item_with_the_keyboard_only(
    page, imported, examiner
) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    run = selectors.latest_run(imported)
    a = JournalRow.objects.get(surname="Коваленко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Коваленко", journal__name="Volunteers")
    item = ReviewItem.objects.create(  # type: ignore[misc]
        run=run,
        kind="borderline_match",
        key=services._question_key("pair", [a.pk, b.pk]),
        priority=1000,
        message="",
        match_probability=0.62,
        match_weight=0.7,
        explanation=[{"comparison": "surname", "level": "exact", "weight": 6.1}],
    )
    item.rows.set([a, b])
    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/journals/sites/{imported.pk}/review/")
    assert not axe_violations(page)

    tab_to(page, "tr.review-borderline_match a")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Why the model proposes this")
    assert not axe_violations(page)
    tab_to(page, "#id_kind")
    choose_with_keys(page, "must_link")
    tab_to(page, "#id_reason")
    page.keyboard.type("Same name, age and burial date in both journals")
    tab_to(page, "#decision-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Decision recorded")
    assert LinkDecision.objects.filter(kind="must_link", row_a=a, row_b=b).exists()

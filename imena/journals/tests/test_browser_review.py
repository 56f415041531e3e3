"""The review queue in a real browser: accept a match, resolve a conflict, see the audit."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.journals import selectors, services
from imena.journals.models import JournalRow, LinkDecision, ReviewItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_examiner_accepts_a_match_and_resolves_a_conflict(
    page, imported, examiner
) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    run = selectors.latest_run(imported)
    a = JournalRow.objects.get(surname="Коваленко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Коваленко", journal__name="Volunteers")
    pair = ReviewItem.objects.create(  # type: ignore[misc]
        run=run,
        kind="borderline_match",
        key=services._question_key("pair", [a.pk, b.pk]),
        priority=1000,
        message="",
        match_probability=0.62,
        match_weight=0.7,
        explanation=[{"comparison": "surname", "level": "exact", "weight": 6.1}],
    )
    pair.rows.set([a, b])

    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/journals/sites/{imported.pk}/review/")
    page.click("tr.review-borderline_match >> text=Review")
    page.wait_for_selector("text=Why the model proposes this")
    assert "Коваленко" in page.content()
    # the match-weight waterfall: prior, one bar per comparison, the total
    assert page.locator("svg.waterfall rect").count() == 3
    assert page.locator("svg.waterfall").is_visible()
    page.select_option("#id_kind", "must_link")
    page.fill("#id_reason", "Same birth year and grave in both journals")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("text=Decision recorded")

    page.click("tr.review-row_without_grave >> text=Review")
    page.select_option("#id_kind", "resolved")
    page.fill("#id_reason", "Buried outside the numbered rows; see police report")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("text=Decision recorded")
    assert LinkDecision.objects.filter(kind="must_link", row_a=a, row_b=b).exists()
    assert LinkDecision.objects.filter(
        kind="resolved", question_key__startswith="row_without_grave"
    ).exists()

    # Re-running the model keeps both answers.
    page.goto(page.base_url + "/journals/")
    page.click(f"#reconcile-{imported.pk}")
    page.wait_for_selector("text=Reconciled")
    assert "Buried outside" not in page.content()

    # An investigator sees the decisions in the audit log.
    page.click("button:has-text('Log out')")
    browser_login(page, "investigator")
    page.goto(page.base_url + "/audit/")
    page.wait_for_selector("text=journal.decision")
    assert page.locator("td:has-text('journal.decision')").count() >= 2

"""The work list's journal rows to review: each site's latest run, undecided (#13)."""

from __future__ import annotations

import pytest

from imena.journals import selectors, services
from imena.journals.models import DecisionKind, JournalRow, ReviewItem
from imena.journals.worklist import open_review_items, work_items

pytestmark = pytest.mark.django_db


def test_open_items_are_the_latest_runs_undecided_questions_in_queue_order(
    imported, examiner
):
    old = services.reconcile_site(actor=examiner, site=imported)
    run = services.reconcile_site(actor=examiner, site=imported)
    assert run != old and old.review_items.exists()
    a = JournalRow.objects.get(surname="Шевченко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Шевченко", journal__name="Volunteers")
    key = services._question_key("pair", [a.pk, b.pk])
    decided = ReviewItem.objects.create(
        run=run, kind="borderline_match", key=key, message="", priority=1001
    )
    decided.rows.set([a, b])
    urgent = ReviewItem.objects.create(
        run=run, kind="borderline_match", key="urgent", message="", priority=1000
    )
    services.review_decide(
        actor=examiner, item=decided, kind=DecisionKind.DIFFERENT_PEOPLE, reason="x"
    )
    expected = [
        i.pk
        for i in selectors.latest_run(imported).review_items.order_by("-priority", "pk")
        if i.pk != decided.pk
    ]
    assert [i.pk for i in open_review_items(examiner)] == expected
    assert expected[0] == urgent.pk
    (item,) = work_items(examiner)
    assert item.count == len(expected)
    assert [r.url.rstrip("/").split("/")[-1] for r in item.rows] == [
        str(pk) for pk in expected[:5]
    ]

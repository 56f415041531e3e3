"""An answered review item leaves the queue at once (#21 item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.journals import selectors, services
from imena.journals.models import DecisionKind

pytestmark = pytest.mark.django_db


def test_a_decided_item_leaves_the_queue_before_the_next_run(
    client, imported, examiner
) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    before = list(selectors.review_queue(imported))
    item = before[0]
    services.review_decide(
        actor=examiner, item=item, kind=DecisionKind.RESOLVED, reason="checked"
    )
    after = list(selectors.review_queue(imported))
    assert item not in after and len(after) == len(before) - 1
    client.force_login(examiner)
    page = client.get(reverse("journals:review_queue", args=[imported.pk]))
    assert reverse("journals:review_item", args=[item.pk]) not in page.content.decode()

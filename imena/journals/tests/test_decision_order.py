"""People's decisions reach the linkage in the order they were made, on every
database: a query without ORDER BY returns rows in whatever order the database
reads them (SQLite: by row id; PostgreSQL: by the index it chose, here the
current-decision index, so by question key in its collation, or in the
table's physical order, which an update changes)."""

from __future__ import annotations

import pytest

from imena.journals import services
from imena.journals.models import DecisionKind, JournalRow, LinkDecision

pytestmark = pytest.mark.django_db


def test_decisions_are_applied_in_the_order_they_were_made(imported, examiner):
    rows = list(JournalRow.objects.filter(journal__site=imported).order_by("pk"))
    made = [
        LinkDecision.objects.create(
            site=imported,
            kind=DecisionKind.SAME_PERSON,
            # keys in the opposite order to the decisions ("pair:10,11" sorts
            # before "pair:9,10")
            question_key=f"pair:{9 - k}",
            row_a=a,
            row_b=b,
            reason="same person",
            decided_by=examiner,
        )
        for k, (a, b) in enumerate(zip(rows, rows[1:4], strict=False))
    ]
    # PostgreSQL writes the updated row anew at the end of the table
    LinkDecision.objects.filter(pk=made[0].pk).update(reason="same person, checked")
    decisions = services._decisions(imported)
    assert [(d.a[1], d.b[1]) for d in decisions] == [
        (d.row_a_id, d.row_b_id) for d in made
    ]
    assert all(
        d.a[0] == f"j{rows[0].journal_id}" or d.a[0].startswith("j") for d in decisions
    )

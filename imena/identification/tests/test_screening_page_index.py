"""The screening page reads a run's bodies a page at a time from an index (#13 item 5)."""

from __future__ import annotations

import pytest
from django.db import connection

from imena.identification.models import ScreeningCandidate

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="plans are PostgreSQL's here"
)
def test_a_page_of_labels_comes_from_the_index_without_sorting_the_run() -> None:
    labels = (
        ScreeningCandidate.objects.filter(run_id=1)
        .values_list("pm_label", flat=True)
        .distinct()
        .order_by("pm_label")[:20]
    )
    sql, params = labels.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "screeningcandidate_page_idx" in plan, plan
    assert "Sort" not in plan, plan

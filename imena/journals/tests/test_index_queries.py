"""The journals page reads a constant number of queries, whatever the sites."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.burials.models import Site
from imena.burials.tests.factories import SiteFactory
from imena.journals.models import Journal, LinkDecision, ReconcileRun, ReviewItem

pytestmark = pytest.mark.django_db

#: Ten today (session, user, the page of sites and its count, journals, latest
#: runs, queue counts, the base template's); a query per site (15 here) breaks it.
MAX_QUERIES = 12


def _site_with_queue(org, examiner, n: int) -> None:
    site: Site = SiteFactory(organisation=org, code=f"s{n}", name=f"Site {n}")  # type: ignore[assignment]
    Journal.objects.create(site=site, name="Funeral home")
    Journal.objects.create(site=site, name="Volunteers")
    ReconcileRun.objects.create(site=site, threshold=0.9, cluster_count=1)
    latest = ReconcileRun.objects.create(
        site=site, threshold=0.9, row_count=10 + n, cluster_count=7, conflict_count=n
    )
    for k in range(3):
        ReviewItem.objects.create(run=latest, kind="borderline_match", key=f"q{k}")
    # one question answered: it has left the queue
    LinkDecision.objects.create(
        site=site,
        kind="resolved",
        question_key="q0",
        reason="seen",
        decided_by=examiner,
    )


def test_the_journals_page_reads_a_constant_number_of_queries(
    client, org, examiner, django_assert_max_num_queries
):
    for n in range(15):
        _site_with_queue(org, examiner, n)
    client.force_login(examiner)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("journals:index"))
    body = response.content.decode()
    assert body.count("Review queue (2 items)") == 15
    assert "Funeral home" in body and "Volunteers" in body
    assert "24 rows, 7 people, 14 conflicts" in body


def test_a_site_without_a_run_has_an_empty_queue(client, org, examiner):
    SiteFactory(organisation=org, code="new", name="New site")
    client.force_login(examiner)
    body = client.get(reverse("journals:index")).content.decode()
    assert "Review queue (0 items)" in body and "Last reconciled" not in body

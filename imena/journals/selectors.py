"""Reads for journal pages."""

from __future__ import annotations

from django.db.models import QuerySet

from imena.burials.models import Grave, Site
from imena.journals.models import JournalRow, PersonCluster, ReconcileRun, ReviewItem


def latest_run(site: Site) -> ReconcileRun | None:
    return ReconcileRun.objects.filter(site=site).order_by("-created", "-pk").first()


def review_queue(site: Site) -> QuerySet[ReviewItem]:
    run = latest_run(site)
    if run is None:
        return ReviewItem.objects.none()
    return run.review_items.prefetch_related("rows__journal").order_by(
        "-priority", "pk"
    )


def rows_for_grave(grave: Grave) -> QuerySet[JournalRow]:
    by_number = JournalRow.objects.filter(
        journal__site=grave.site_id, grave_number=grave.number
    )
    rows = JournalRow.objects.filter(grave=grave)
    if grave.number:
        rows = rows | by_number
    return rows.select_related("journal", "source_import").order_by(
        "journal__name", "row_number"
    )


def clusters_for_grave(grave: Grave) -> QuerySet[PersonCluster]:
    run = latest_run(grave.site)
    if run is None:
        return PersonCluster.objects.none()
    return run.clusters.filter(grave=grave).prefetch_related("members__row__journal")


def conflicts_for_grave(grave: Grave) -> QuerySet[ReviewItem]:
    run = latest_run(grave.site)
    if run is None or not grave.number:
        return ReviewItem.objects.none()
    return run.review_items.filter(grave_number=grave.number).exclude(
        kind="borderline_match"
    )


def journal_expectation(grave: Grave) -> int | None:
    """How many people the reconciled journals put in this grave (None: no run yet)."""
    run = latest_run(grave.site)
    if run is None:
        return None
    return run.clusters.filter(grave=grave).count()

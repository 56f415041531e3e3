"""Reads for journal pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from imena.burials.models import Grave, Site
from imena.journals.models import (
    ClusterMember,
    Journal,
    JournalRow,
    LinkDecision,
    PersonCluster,
    ReconcileRun,
    ReviewItem,
)


def latest_run(site: Site) -> ReconcileRun | None:
    return ReconcileRun.objects.filter(site=site).order_by("-created", "-pk").first()


def latest_run_id(site: Site) -> int | None:
    """``latest_run``'s id, without reading the run (its trained model is
    the largest value of the row)."""
    pk: int | None = (
        ReconcileRun.objects.filter(site=site)
        .order_by("-created", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return pk


def latest_runs(sites: Iterable[Site]) -> dict[int, ReconcileRun]:
    """The latest run of each site (by site id), in one query; a run's trained
    model and notes, which a listing does not show, are not read."""
    latest = (
        ReconcileRun.objects.filter(site=OuterRef("site"))
        .order_by("-created", "-pk")
        .values("pk")[:1]
    )
    runs = ReconcileRun.objects.filter(
        site__in=[s.pk for s in sites], pk=Subquery(latest)
    ).defer("model", "notes")
    return {run.site_id: run for run in runs}


def _unanswered(items: QuerySet[ReviewItem]) -> QuerySet[ReviewItem]:
    answered = LinkDecision.objects.filter(
        site=OuterRef("run__site"), question_key=OuterRef("key"), superseded=False
    )
    return items.exclude(Exists(answered))


def review_queue_counts(runs: Iterable[ReconcileRun]) -> dict[int, int]:
    """The number of open questions per run (by run id), in one query: what
    ``review_queue(site).count()`` gives for each run's site."""
    counts = (
        _unanswered(ReviewItem.objects.filter(run__in=[r.pk for r in runs]))
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values_list("run", "n")
    )
    return dict(counts)


def review_queue(site: Site) -> QuerySet[ReviewItem]:
    """The open questions of the latest run: an answered one leaves the queue at
    once, not at the next reconciliation (every answer resolves its item's key)."""
    run = latest_run(site)
    if run is None:
        return ReviewItem.objects.none()
    return (
        _unanswered(run.review_items.all())
        .prefetch_related("rows__journal")
        .order_by("-priority", "pk")
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


@dataclass
class ReviewPerson:
    """One person of a review item: the name proposed and their rows by journal."""

    name: str
    #: One list of rows per journal, in the order of ``review_people``' journals.
    cells: list[list[JournalRow]]


def review_people(item: ReviewItem) -> tuple[list[Journal], list[ReviewPerson]]:
    """The item's rows as people (one per reconciled person), a column per journal.

    A grave of many names is read across: who each journal lists, side by side.
    Rows the reconciliation put in no person stand alone.
    """
    rows = list(
        item.rows.select_related("journal", "grave").order_by(
            "journal__name", "row_number", "pk"
        )
    )
    journals = list({r.journal_id: r.journal for r in rows}.values())
    cluster_of = dict(
        ClusterMember.objects.filter(
            cluster__run_id=item.run_id, row__in=rows
        ).values_list("row_id", "cluster_id")
    )
    names = dict(
        PersonCluster.objects.filter(pk__in=set(cluster_of.values())).values_list(
            "pk", "name"
        )
    )
    groups: dict[tuple[str, int], list[JournalRow]] = {}
    for row in rows:
        cluster = cluster_of.get(row.pk)
        key = ("cluster", cluster) if cluster else ("row", row.pk)
        groups.setdefault(key, []).append(row)
    people = [
        ReviewPerson(
            name=(names.get(key[1]) if key[0] == "cluster" else "")
            or members[0].display_name,
            cells=[[m for m in members if m.journal_id == j.pk] for j in journals],
        )
        for key, members in groups.items()
    ]
    return journals, people

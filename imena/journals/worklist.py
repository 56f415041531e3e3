"""Journal review items waiting for a decision (home page work list)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from imena.accounts.models import User
from imena.accounts.roles import can
from imena.burials.access import sites_for_user
from imena.journals.models import LinkDecision, ReconcileRun, ReviewItem
from imena.journals.texts import review_message
from imena.lib.worklist import PREVIEW, WorkItem, WorkRow


def latest_runs(user: User) -> list[int]:
    """The latest reconciliation of each of the user's sites (one row a site)."""
    latest = (
        ReconcileRun.objects.filter(site=OuterRef("pk"))
        .order_by("-created", "-pk")
        .values("pk")[:1]
    )
    return [
        pk
        for pk in sites_for_user(user)
        .annotate(latest=Subquery(latest))
        .values_list("latest", flat=True)
        if pk is not None
    ]


def open_review_items(user: User) -> QuerySet[ReviewItem]:
    """Review items of each site's latest reconciliation with no current decision.

    The latest runs are read once (not a subquery per review item), so the
    first rows come from the queue-order index at national size.
    """
    decided = LinkDecision.objects.filter(
        site=OuterRef("run__site"), question_key=OuterRef("key"), superseded=False
    )
    return (
        ReviewItem.objects.filter(run__in=latest_runs(user))
        .exclude(Exists(decided))
        .select_related("run__site")
        .order_by("-priority", "pk")
    )


def work_items(user: User) -> list[WorkItem]:
    if not can(user, "journal.review"):
        return []
    items = open_review_items(user)
    first = list(items[:PREVIEW])
    url = (
        reverse("journals:review_queue", args=[first[0].run.site_id])
        if first
        else reverse("journals:index")
    )
    return [
        WorkItem(
            key="journal_review",
            title=_("Journal rows to review"),
            count=items.count(),
            url=url,
            rows=[
                WorkRow(
                    label=str(item.get_kind_display()),
                    url=reverse("journals:review_item", args=[item.pk]),
                    detail=f"{item.run.site.name} · "
                    + Truncator(review_message(item.message)).chars(100),
                )
                for item in first
            ],
        )
    ]

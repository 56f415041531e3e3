"""Identification work waiting for the user (home page work list)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from imena.accounts.models import User
from imena.accounts.roles import can
from imena.burials.models import Site
from imena.identification.access import identifications_for_user
from imena.identification.models import (
    BodyAnalysis,
    Identification,
    IdentificationStatus,
)
from imena.identification.selectors import to_notify
from imena.lib.worklist import WorkItem, WorkRow, work_item

#: A candidate this strong waits for a proposal (work list and candidate filter).
STRONG_POSTERIOR = 0.99

LIVE = (IdentificationStatus.PROPOSED, IdentificationStatus.CONFIRMED)


def _sites(user: User) -> list[int]:
    """The ids of the user's organisation's sites (read once: a list, not a
    subquery the planner would join into every analysis)."""
    return list(
        Site.objects.filter(organisation=user.organisation).values_list("pk", flat=True)
    )


def strong_unproposed(user: User) -> QuerySet[BodyAnalysis]:
    """Bodies of the latest computation per site with a candidate at
    ``STRONG_POSTERIOR`` or more and no proposed or confirmed identification.

    National registers have thousands of bodies: the latest runs' analyses
    are those held by no later run (``current()``, one index range per site
    of the organisation), and the best posterior is the strong candidate's own,
    read through the join that finds it: an analysis's posteriors and its
    "not listed" share sum to 1, so it has at most one candidate at 0.99 or
    more, which is its best (the same rows as ``best_posterior()``, without a
    subquery per analysis).
    """
    live = Identification.objects.filter(body=OuterRef("body"), status__in=LIVE)
    return (
        # The bodies' organisation is checked on each row, not through its
        # index: SQLite would otherwise walk every body of the organisation
        # and probe each latest run for it (10,000 bodies x 40 runs: 65 ms at
        # national size, against 5 ms from the runs' analyses). ``+ 0`` keeps
        # the condition and takes the index away (as SQLite's unary ``+``).
        BodyAnalysis.objects.alias(body_org=F("body__organisation_id") + 0)
        .filter(body_org=user.organisation_id)
        .current()
        .filter(site__in=_sites(user))
        .filter(candidates__posterior__gte=STRONG_POSTERIOR)
        .exclude(Exists(live))
        .annotate(best=F("candidates__posterior"))
        .select_related("body", "site")
        # Only what the work list shows: the rows sorted are narrow (not the
        # site's outline or the exclusions JSON).
        .only("body__pm_number", "site__name")
        .order_by("-best", "body__pm_number")
    )


def work_items(user: User) -> list[WorkItem]:
    out: list[WorkItem] = []
    if can(user, "identification.propose"):
        out.append(
            work_item(
                "strong_candidates",
                _("Bodies with a candidate at 0.99 or more waiting for a proposal"),
                strong_unproposed(user),
                reverse("identification:index"),
                lambda a: WorkRow(
                    label=a.body.pm_number,
                    url=reverse("identification:body_candidates", args=[a.body_id]),
                    detail=f"{a.site.name} · {a.best:.4f}",
                ),
            )
        )
    if can(user, "identification.review"):
        out.append(
            work_item(
                "second_examiner",
                _("Identifications waiting for a second examiner"),
                identifications_for_user(user)
                .filter(status=IdentificationStatus.PROPOSED)
                .exclude(proposed_by=user)
                .order_by("proposed_at", "pk"),
                reverse("identification:index"),
                lambda i: WorkRow(
                    label=f"{i.body.pm_number} → {i.person.case_no}",
                    url=i.get_absolute_url(),
                    detail=str(i.proposed_by),
                ),
            )
        )
    if can(user, "identification.view") and can(user, "missing.change"):
        out.append(
            work_item(
                "families_to_notify",
                _("Families to notify of a confirmed identification"),
                to_notify(identifications_for_user(user))
                .exclude(primary_identifier="")
                .order_by("closed_at", "pk"),
                reverse("identification:liaison_queue"),
                lambda i: WorkRow(
                    label=f"{i.person.case_no} {i.person}",
                    url=reverse("identification:notify", args=[i.pk]),
                    detail=i.body.pm_number,
                ),
            )
        )
    return out

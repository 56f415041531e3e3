"""Who may see and act on candidates and identifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.exhumations.models import Body
from imena.identification.models import (
    Candidate,
    ExclusionOverride,
    Identification,
    ScreeningCandidate,
    ScreeningRun,
)

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.exhumations.models import Body


def candidate_for_user(
    user: User, pk: int, *, capability: str = "identification.view"
) -> Candidate:
    require(user, capability)
    return get_object_or_404(
        Candidate.objects.select_related(
            "analysis__body__grave__site", "analysis__run", "person"
        ),
        pk=pk,
        analysis__body__organisation_id=user.organisation_id,
    )


def override_for_user(
    user: User, pk: int, *, capability: str = "identification.review"
) -> ExclusionOverride:
    """An exclusion override of the user's organisation (by its body)."""
    require(user, capability)
    return get_object_or_404(
        ExclusionOverride.objects.select_related("body", "person"),
        pk=pk,
        body__organisation_id=user.organisation_id,
    )


def identifications_for_user(user: User) -> QuerySet[Identification]:
    require(user, "identification.view")
    return Identification.objects.filter(in_organisation(user)).select_related(
        "body__grave__site", "person", "proposed_by", "closed_by"
    )


def identification_for_user(
    user: User, pk: int, *, capability: str = "identification.view"
) -> Identification:
    require(user, capability)
    return get_object_or_404(identifications_for_user(user), pk=pk)


def body_for_user(
    user: User, pk: int, *, capability: str = "identification.view"
) -> Body:

    require(user, capability)
    return get_object_or_404(
        Body.objects.select_related("grave__site"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def screenings_for_user(user: User) -> QuerySet[ScreeningRun]:
    """Screenings of the user's organisation (DNA analysts only)."""
    require(user, "dna.view")
    return ScreeningRun.objects.filter(in_organisation(user))


def screening_for_user(
    user: User, pk: int, *, capability: str = "dna.view"
) -> ScreeningRun:
    require(user, capability)
    return get_object_or_404(
        ScreeningRun.objects.select_related("site", "started_by"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def screening_candidate_for_user(user: User, pk: int) -> ScreeningCandidate:
    """One screening candidate with its per-marker LRs (derived from genotypes)."""
    require(user, "dna.view")
    return get_object_or_404(
        ScreeningCandidate.objects.select_related("run", "run__site", "person", "body"),
        pk=pk,
        run__organisation_id=user.organisation_id,
    )

"""Who may see and act on candidates and identifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from imena.accounts.access import require
from imena.exhumations.models import Body
from imena.identification.models import (
    Candidate,
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
    try:
        return Candidate.objects.select_related(  # type: ignore[misc]
            "analysis__body__grave__site", "analysis__run", "person"
        ).get(pk=pk, analysis__body__organisation_id=user.organisation_id)
    except Candidate.DoesNotExist:
        raise Http404("No such candidate") from None


def identifications_for_user(user: User) -> QuerySet[Identification]:
    require(user, "identification.view")
    return Identification.objects.filter(  # type: ignore[misc]
        organisation_id=user.organisation_id
    ).select_related("body__grave__site", "person", "proposed_by", "closed_by")


def identification_for_user(
    user: User, pk: int, *, capability: str = "identification.view"
) -> Identification:
    require(user, capability)
    try:
        return identifications_for_user(user).get(pk=pk)
    except Identification.DoesNotExist:
        raise Http404("No such identification") from None


def body_for_user(
    user: User, pk: int, *, capability: str = "identification.view"
) -> Body:

    require(user, capability)
    try:
        return Body.objects.select_related("grave__site").get(  # type: ignore[misc]
            pk=pk, organisation_id=user.organisation_id
        )
    except Body.DoesNotExist:
        raise Http404("No such body") from None


def screenings_for_user(user: User) -> QuerySet[ScreeningRun]:
    """Screenings of the user's organisation (DNA analysts only)."""
    require(user, "dna.view")
    return ScreeningRun.objects.filter(organisation_id=user.organisation_id)  # type: ignore[misc]


def screening_for_user(
    user: User, pk: int, *, capability: str = "dna.view"
) -> ScreeningRun:
    require(user, capability)
    try:
        return ScreeningRun.objects.select_related("site", "started_by").get(  # type: ignore[misc]
            pk=pk, organisation_id=user.organisation_id
        )
    except ScreeningRun.DoesNotExist:
        raise Http404("No such screening") from None


def screening_candidate_for_user(user: User, pk: int) -> ScreeningCandidate:
    """One screening candidate with its per-marker LRs (derived from genotypes)."""
    require(user, "dna.view")
    try:
        return ScreeningCandidate.objects.select_related(  # type: ignore[misc]
            "run", "run__site", "person", "body"
        ).get(pk=pk, run__organisation_id=user.organisation_id)
    except ScreeningCandidate.DoesNotExist:
        raise Http404("No such candidate") from None

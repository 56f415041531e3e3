"""Who may see and change exhumations, bodies, samples and evidence.

Every view fetches through here: records of another organisation are 404,
a role without the capability is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from imena.accounts.access import require
from imena.exhumations.models import Body, Exhumation, Sample

if TYPE_CHECKING:
    from imena.accounts.models import User


def exhumations_for_user(user: User) -> QuerySet[Exhumation]:
    require(user, "postmortem.view")
    return Exhumation.objects.filter(  # type: ignore[misc]
        organisation_id=user.organisation_id
    ).select_related("grave", "grave__site")


def exhumation_for_user(
    user: User, pk: int, *, capability: str = "postmortem.view"
) -> Exhumation:
    require(user, capability)
    try:
        return Exhumation.objects.select_related("grave", "grave__site").get(  # type: ignore[misc]
            pk=pk, organisation_id=user.organisation_id
        )
    except Exhumation.DoesNotExist:
        raise Http404("No such exhumation") from None


def body_for_user(user: User, pk: int, *, capability: str = "postmortem.view") -> Body:
    require(user, capability)
    try:
        return Body.objects.select_related(  # type: ignore[misc]
            "exhumation", "grave", "grave__site", "pm"
        ).get(pk=pk, organisation_id=user.organisation_id)
    except Body.DoesNotExist:
        raise Http404("No such body") from None


def sample_for_user(
    user: User, pk: int, *, capability: str = "postmortem.view"
) -> Sample:
    require(user, capability)
    try:
        return Sample.objects.select_related("body", "profile").get(  # type: ignore[misc]
            pk=pk, organisation_id=user.organisation_id
        )
    except Sample.DoesNotExist:
        raise Http404("No such sample") from None

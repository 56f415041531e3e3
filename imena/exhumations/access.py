"""Who may see and change exhumations, bodies, samples and evidence.

Every view fetches through here: records of another organisation are 404,
a role without the capability is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.exhumations.models import Body, Exhumation, Sample

if TYPE_CHECKING:
    from imena.accounts.models import User


def exhumations_for_user(user: User) -> QuerySet[Exhumation]:
    require(user, "postmortem.view")
    return Exhumation.objects.filter(in_organisation(user)).select_related(
        "grave", "grave__site"
    )


def exhumation_for_user(
    user: User, pk: int, *, capability: str = "postmortem.view"
) -> Exhumation:
    require(user, capability)
    return get_object_or_404(
        Exhumation.objects.select_related("grave", "grave__site"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def body_for_user(user: User, pk: int, *, capability: str = "postmortem.view") -> Body:
    require(user, capability)
    return get_object_or_404(
        Body.objects.select_related("exhumation", "grave", "grave__site", "pm"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def sample_for_user(
    user: User, pk: int, *, capability: str = "postmortem.view"
) -> Sample:
    require(user, capability)
    return get_object_or_404(
        Sample.objects.select_related("body", "profile"),
        pk=pk,
        organisation_id=user.organisation_id,
    )

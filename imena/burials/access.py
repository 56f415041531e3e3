"""Who may see and change sites and graves. Every view fetches through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.burials.models import Grave, Site

if TYPE_CHECKING:
    from imena.accounts.models import User


def sites_for_user(user: User) -> QuerySet[Site]:
    """Sites of the user's own organisation; nothing for anyone else."""
    require(user, "site.view")
    return Site.objects.filter(in_organisation(user))


def site_for_user(user: User, pk: int, *, capability: str = "site.view") -> Site:
    require(user, capability)
    return get_object_or_404(
        Site.objects.select_related("organisation"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def grave_for_user(user: User, pk: int, *, capability: str = "site.view") -> Grave:
    require(user, capability)
    return get_object_or_404(
        Grave.objects.select_related("site", "site__organisation"),
        pk=pk,
        site__organisation_id=user.organisation_id,
    )

"""Who may see and act on evidence items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.accounts.roles import can
from imena.evidence.models import EvidenceItem, Orthophoto

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.burials.models import Site


def evidence_items_for_user(user: User) -> QuerySet[EvidenceItem]:
    require(user, "evidence.view")
    return EvidenceItem.objects.filter(in_organisation(user))


def evidence_for_user(
    user: User, pk: int, *, capability: str = "evidence.view"
) -> EvidenceItem:
    require(user, capability)
    return get_object_or_404(
        EvidenceItem.objects.select_related("grave", "site", "body", "exhumation"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def orthophotos_for_site(user: User, site: Site) -> QuerySet[Orthophoto]:
    """A site's orthophotos, for a user who may see evidence (else none).

    The caller has already checked the site itself (its organisation); an
    orthophoto is evidence, so roles without ``evidence.view`` get an empty list
    and the map is drawn without it.
    """
    if not can(user, "evidence.view"):
        return Orthophoto.objects.none()
    return Orthophoto.objects.filter(in_organisation(user), site=site).select_related(
        "item"
    )


def orthophoto_for_user(user: User, pk: int) -> Orthophoto:
    """One orthophoto: another organisation's is a 404, a role without
    ``evidence.view`` a 403."""
    orthophoto = get_object_or_404(
        Orthophoto.objects.select_related("item", "site"),
        pk=pk,
        organisation_id=user.organisation_id,
    )
    require(user, "evidence.view")
    return orthophoto

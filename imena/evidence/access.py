"""Who may see and act on evidence items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.evidence.models import EvidenceItem

if TYPE_CHECKING:
    from imena.accounts.models import User


def evidence_items_for_user(user: User) -> QuerySet[EvidenceItem]:
    require(user, "evidence.view")
    return EvidenceItem.objects.filter(in_organisation(user))


def evidence_for_user(
    user: User, pk: int, *, capability: str = "evidence.view"
) -> EvidenceItem:
    require(user, capability)
    return get_object_or_404(
        EvidenceItem.objects.select_related("grave", "body", "exhumation"),
        pk=pk,
        organisation_id=user.organisation_id,
    )

"""Who may see and change journals, their rows and the review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.journals.models import Journal, ReviewItem

if TYPE_CHECKING:
    from imena.accounts.models import User


def journals_for_user(user: User) -> QuerySet[Journal]:
    require(user, "journal.view")
    return Journal.objects.filter(in_organisation(user, "site")).select_related("site")


def journal_for_user(
    user: User, pk: int, *, capability: str = "journal.view"
) -> Journal:
    require(user, capability)
    return get_object_or_404(
        Journal.objects.select_related("site"),
        pk=pk,
        site__organisation_id=user.organisation_id,
    )


def review_item_for_user(
    user: User, pk: int, *, capability: str = "journal.view"
) -> ReviewItem:
    require(user, capability)
    return get_object_or_404(
        ReviewItem.objects.select_related("run", "run__site"),
        pk=pk,
        run__site__organisation_id=user.organisation_id,
    )

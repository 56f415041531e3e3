"""Who may see and change journals, their rows and the review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from imena.accounts.access import require
from imena.journals.models import Journal, ReviewItem

if TYPE_CHECKING:
    from imena.accounts.models import User


def journals_for_user(user: User) -> QuerySet[Journal]:
    require(user, "journal.view")
    return Journal.objects.filter(  # type: ignore[misc]
        site__organisation_id=user.organisation_id
    ).select_related("site")


def journal_for_user(
    user: User, pk: int, *, capability: str = "journal.view"
) -> Journal:
    require(user, capability)
    try:
        return Journal.objects.select_related("site").get(  # type: ignore[misc]
            pk=pk, site__organisation_id=user.organisation_id
        )
    except Journal.DoesNotExist:
        raise Http404("No such journal") from None


def review_item_for_user(
    user: User, pk: int, *, capability: str = "journal.view"
) -> ReviewItem:
    require(user, capability)
    try:
        return ReviewItem.objects.select_related("run", "run__site").get(  # type: ignore[misc]
            pk=pk, run__site__organisation_id=user.organisation_id
        )
    except ReviewItem.DoesNotExist:
        raise Http404("No such review item") from None

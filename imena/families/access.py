"""Who may open what: the family by its case link, officers by role.

Every families view fetches through here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.accounts.roles import can
from imena.families import tokens
from imena.families.models import (
    CaseAccess,
    FamilyAddition,
    FamilyPhoto,
    PublicReport,
    ReportStatus,
)
from imena.missing.access import handles_unmatched_contact_requests

if TYPE_CHECKING:
    from imena.accounts.models import User


def case_for_token(token: str) -> CaseAccess:
    """The live case link with this secret; 404 for any other (unknown,
    revoked, malformed) alike, found by the secret's hash."""
    if not token or len(token) > 100:
        raise Http404("No such case")
    try:
        return CaseAccess.objects.select_related("person", "report").get(
            token_hash=tokens.token_hash(token), revoked_at__isnull=True
        )
    except CaseAccess.DoesNotExist:
        raise Http404("No such case") from None


def handles_public_reports(user: User) -> bool:
    """Drafts from families belong to no organisation yet: the national liaison
    handles them when ``IMENA_NATIONAL_LIAISON_ORG`` is set, otherwise every
    family liaison officer."""
    if not can(user, "missing.change"):
        return False
    if settings.IMENA_NATIONAL_LIAISON_ORG:
        return handles_unmatched_contact_requests(user)
    return user.organisation_id is not None


def reports_for_user(user: User) -> QuerySet[PublicReport]:
    """Drafts (for those who handle them) and the handled reports of the
    user's organisation."""
    require(user, "missing.change")
    mine = Q(person__organisation_id=user.organisation_id) & Q(person__isnull=False)
    if handles_public_reports(user):
        mine |= Q(status=ReportStatus.DRAFT)
    return PublicReport.objects.filter(mine)


def report_for_user(user: User, pk: int) -> PublicReport:
    return get_object_or_404(
        reports_for_user(user).select_related("person", "handled_by"), pk=pk
    )


def draft_for_user(user: User, pk: int) -> PublicReport:
    """A draft the user may accept, merge or reject."""
    require(user, "missing.change")
    if not handles_public_reports(user):
        raise Http404("Not a handler of public reports")
    return get_object_or_404(PublicReport, pk=pk, status=ReportStatus.DRAFT)


def access_for_user(user: User, pk: int) -> CaseAccess:
    require(user, "missing.change")
    return get_object_or_404(
        CaseAccess.objects.select_related("person", "report"),
        pk=pk,
        person__organisation_id=user.organisation_id,
    )


def additions_for_user(user: User) -> QuerySet[FamilyAddition]:
    require(user, "missing.change")
    return FamilyAddition.objects.filter(
        in_organisation(user, "access__person")
    ).select_related("access", "access__person", "photo")


def addition_for_user(user: User, pk: int) -> FamilyAddition:
    return get_object_or_404(additions_for_user(user), pk=pk)


def photo_for_user(user: User, pk: int) -> FamilyPhoto:
    """A family's photo: of a draft for its handlers, else of the user's
    organisation's reports."""
    require(user, "missing.photos")
    visible = Q(report__person__organisation_id=user.organisation_id) & Q(
        report__person__isnull=False
    )
    if handles_public_reports(user):
        visible |= Q(report__status=ReportStatus.DRAFT)
    return get_object_or_404(FamilyPhoto.objects.filter(visible), pk=pk)

"""Who may see and change missing-person reports. Every view fetches through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.missing.models import (
    ContactRequest,
    MissingPerson,
    MissingPhoto,
    ReferenceSample,
)

if TYPE_CHECKING:
    from imena.accounts.models import User


def people_for_user(user: User) -> QuerySet[MissingPerson]:
    require(user, "missing.view")
    return MissingPerson.objects.filter(in_organisation(user))


def person_for_user(
    user: User, pk: int, *, capability: str = "missing.view"
) -> MissingPerson:
    require(user, capability)
    return get_object_or_404(
        MissingPerson.objects.select_related("organisation", "merged_into"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def sample_for_user(
    user: User, pk: int, *, capability: str = "missing.view"
) -> ReferenceSample:
    require(user, capability)
    return get_object_or_404(
        ReferenceSample.objects.select_related("member", "member__person"),
        pk=pk,
        organisation_id=user.organisation_id,
    )


def handles_unmatched_contact_requests(user: User) -> bool:
    """The national liaison: officers of ``IMENA_NATIONAL_LIAISON_ORG``, or a
    national administrator (a superuser with no organisation)."""
    if user.is_superuser and user.organisation_id is None:
        return True
    code = settings.IMENA_NATIONAL_LIAISON_ORG
    return (
        bool(code) and user.organisation is not None and user.organisation.code == code
    )


def contact_requests_for_user(user: User) -> QuerySet[ContactRequest]:
    """Requests matching a report of the user's organisation; those that
    match no report only for the national liaison (#19 row 8)."""
    require(user, "missing.change")
    mine = Q(organisation_id=user.organisation_id) & Q(organisation__isnull=False)
    if handles_unmatched_contact_requests(user):
        mine |= Q(organisation__isnull=True)
    return ContactRequest.objects.filter(mine).select_related("person")


def contact_request_for_user(user: User, pk: int) -> ContactRequest:
    return get_object_or_404(contact_requests_for_user(user), pk=pk)


def photo_for_user(
    user: User, pk: int, *, capability: str = "missing.photos"
) -> MissingPhoto:
    """An ante-mortem photo: liaison officers, investigators, examiners (no DNA analysts)."""
    require(user, capability)
    return get_object_or_404(
        MissingPhoto.objects.select_related("person"),
        pk=pk,
        person__organisation_id=user.organisation_id,
    )


def pfif_export_for_user(user: User) -> None:
    """PFIF export: liaison officers and investigators of an organisation."""
    require(user, "missing.export")
    if user.organisation_id is None:
        raise Http404("No organisation")


def pfif_import_for_user(user: User) -> None:
    require(user, "missing.change")
    if user.organisation_id is None:
        raise Http404("No organisation")

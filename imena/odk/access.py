"""Who may see drafts, attachments and app tokens. Every web view fetches here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from imena.accounts.access import in_organisation, require
from imena.accounts.roles import can
from imena.odk.formdefs import FORMS
from imena.odk.models import AppToken, Attachment, Quarantine, Submission

if TYPE_CHECKING:
    from imena.accounts.models import User


def may_capture(user: User) -> bool:
    """True when the user may send at least one of the forms."""
    return any(can(user, meta.capability) for meta in FORMS.values())


def submissions_for_user(user: User) -> QuerySet[Submission]:
    require(user, "odk.review")
    return Submission.objects.filter(in_organisation(user))


def submission_for_user(user: User, pk: int, *, accept: bool = False) -> Submission:
    require(user, "odk.review")
    submission = get_object_or_404(
        Submission.objects.select_related("xform", "submitted_by", "reviewed_by"),
        pk=pk,
        organisation_id=user.organisation_id,
    )
    if accept:
        require(user, FORMS[submission.form_id].capability)
    return submission


def attachment_for_user(user: User, submission_pk: int, pk: int) -> Attachment:
    submission = submission_for_user(user, submission_pk)
    return get_object_or_404(submission.attachments, pk=pk)


def quarantine_for_user(user: User) -> QuerySet[Quarantine]:
    require(user, "odk.review")
    return Quarantine.objects.filter(in_organisation(user))


def tokens_for_user(user: User) -> QuerySet[AppToken]:
    if not may_capture(user):
        raise PermissionDenied(_("Your role sends no field forms."))
    return AppToken.objects.filter(user=user)


def token_for_user(user: User, pk: int) -> AppToken:
    return get_object_or_404(tokens_for_user(user), pk=pk)

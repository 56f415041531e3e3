"""Duplicate reports: candidates, merge, unmerge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.missing.models import (
    MissingPerson,
)

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Duplicate reports -------------------------------------------------------


@transaction.atomic
def missing_person_merge(
    *, actor: User, duplicate: MissingPerson, into: MissingPerson, reason: str
) -> MissingPerson:
    """Mark ``duplicate`` as merged into ``into``. Nothing is deleted; reversible."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the reports are the same person.")})
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("A report cannot be merged into itself.")})
    if duplicate.organisation_id != into.organisation_id:
        raise ValidationError(
            {"into": _("The reports belong to different organisations.")}
        )
    duplicate = MissingPerson.objects.select_for_update().get(pk=duplicate.pk)
    into = MissingPerson.objects.select_for_update().get(pk=into.pk)
    if duplicate.merged_into_id or into.merged_into_id:
        raise ValidationError({"into": _("One of the reports is already merged.")})
    if duplicate.merged_reports.exists():
        raise ValidationError(
            {"into": _("Other reports are merged into this one; unmerge them first.")}
        )
    duplicate.merged_into = into
    duplicate.merge_reason = reason
    duplicate.save(update_fields=["merged_into", "merge_reason", "updated"])
    audit_record(
        actor=actor,
        action="missing.merge",
        obj=duplicate,
        before={"merged_into": None},
        after={"merged_into": into.pk, "into_case_no": into.case_no, "reason": reason},
        organisation_id=duplicate.organisation_id,
    )
    return duplicate


@transaction.atomic
def missing_person_unmerge(
    *, actor: User, person: MissingPerson, reason: str
) -> MissingPerson:
    """Restore a merged report as a report of its own."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the merge is undone.")})
    person = MissingPerson.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id is None:
        raise ValidationError({"reason": _("This report is not merged.")})
    before = {"merged_into": person.merged_into_id, "merge_reason": person.merge_reason}
    person.merged_into = None
    person.merge_reason = ""
    person.save(update_fields=["merged_into", "merge_reason", "updated"])
    audit_record(
        actor=actor,
        action="missing.unmerge",
        obj=person,
        before=before,
        after={"merged_into": None, "reason": reason},
        organisation_id=person.organisation_id,
    )
    return person

"""Contact requests from the public family search."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from imena.audit.services import audit_record
from imena.missing.models import (
    ContactRequest,
    MissingPerson,
)

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Public family search: contact requests -----------------------------------


@transaction.atomic
def contact_request_create(
    *,
    searched_name: str,
    searched_birth: str,
    requester_name: str,
    requester_contact: str,
    message: str = "",
    person: MissingPerson | None = None,
) -> ContactRequest:
    request = ContactRequest(
        organisation_id=person.organisation_id if person else None,
        person=person,
        searched_name=searched_name[:300],
        searched_birth=searched_birth[:10],
        requester_name=requester_name,
        requester_contact=requester_contact,
        message=message,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=None,
        action="missing.contact_request",
        obj=request,
        object_repr=f"contact request #{request.pk}",
        organisation_id=request.organisation_id,
    )
    return request


@transaction.atomic
def contact_request_handle(*, actor: User, request: ContactRequest) -> ContactRequest:
    request = ContactRequest.objects.select_for_update().get(pk=request.pk)
    request.handled = True
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.save(update_fields=["handled", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action="missing.contact_request.handle",
        obj=request,
        object_repr=f"contact request #{request.pk}",
        organisation_id=actor.organisation_id,
    )
    return request

"""Correct a record's fields with a reason, keeping the old values in the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from imena.audit.services import audit_record, snapshot

if TYPE_CHECKING:
    from imena.accounts.models import User

M = TypeVar("M", bound=models.Model)


def apply_correction(
    obj: M,
    changes: Mapping[str, Any],
    *,
    actor: User | None,
    action: str,
    reason: str,
    organisation_id: int,
) -> tuple[M, bool]:
    """Lock `obj`, set the values that differ, validate, save and audit them.

    Call it inside the service's transaction. Returns the locked, updated
    record and whether anything changed; with nothing changed it writes nothing.
    """
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    changed = {k: v for k, v in changes.items() if getattr(obj, k) != v}
    if not changed:
        return obj, False
    before = snapshot(obj, changed)
    for k, v in changed.items():
        setattr(obj, k, v)
    obj.full_clean()
    obj.save(update_fields=list(changed))
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after={**snapshot(obj, changed), "reason": reason},
        organisation_id=organisation_id,
    )
    return obj, True

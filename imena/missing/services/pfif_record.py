"""The PFIF export record of a report."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.db import transaction

from imena.audit.services import audit_record

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User


# --- PFIF export record -------------------------------------------------------------


@transaction.atomic
def pfif_export_record(
    *,
    actor: User | None,
    organisation: Organisation,
    document: bytes,
    filename: str,
    rows: int,
    via: str,
    os_user: str = "",
) -> Any:
    """Record who exported the PFIF file, and the SHA-256 of what they got."""
    after: dict[str, Any] = {
        "dataset": "missing",
        "format": "pfif",
        "filename": filename,
        "sha256": hashlib.sha256(document).hexdigest(),
        "bytes": len(document),
        "rows": rows,
        "via": via,
    }
    if os_user:
        after["os_user"] = os_user
    return audit_record(
        actor=actor,
        action="missing.pfif_export",
        object_type="missing.pfif",
        object_repr=filename,
        after=after,
        organisation_id=organisation.pk,
    )

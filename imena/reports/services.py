"""Writes made by reports: the audit record of each export, and the site import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from imena.audit.services import audit_record
from imena.reports.access import os_user

if TYPE_CHECKING:
    from imena.audit.models import AuditEntry
    from imena.burials.models import Site
    from imena.reports.access import Audience
    from imena.reports.files import ExportFile


@transaction.atomic
def export_record(
    *, audience: Audience, site: Site | None, export: ExportFile, via: str
) -> AuditEntry:
    """Record who exported what, when, and the SHA-256 of what they got."""
    after = {
        "dataset": export.dataset,
        "format": export.fmt,
        "filename": export.filename,
        "sha256": export.sha256,
        "bytes": export.size,
        "rows": export.rows,
        "via": via,
    }
    if audience.is_system:
        after["os_user"] = os_user()
    common = {
        "actor": audience.user,
        "action": "report.export",
        "after": after,
        "organisation_id": audience.organisation_id,
    }
    if site is not None:
        return audit_record(obj=site, **common)  # type: ignore[arg-type]
    return audit_record(object_type="burials.site", object_repr="all sites", **common)  # type: ignore[arg-type]

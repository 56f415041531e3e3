from __future__ import annotations

from django.contrib import admin

from imena.audit.models import AuditEntry
from imena.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    organisation_path = "organisation_id"
    list_display = [
        "seq",
        "created",
        "actor_name",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_name"]

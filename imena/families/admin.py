from __future__ import annotations

from django.contrib import admin

from imena.core.admin import ReadOnlyAdmin
from imena.families.models import PublicReport


@admin.register(PublicReport)
class PublicReportAdmin(ReadOnlyAdmin):
    organisation_path = "person__organisation"
    list_display = ["pk", "status", "created", "handled_at"]
    list_filter = ["status"]
    # Personal data and contacts are read on the liaison pages, which audit.
    fields = ["status", "language", "created", "handled_at", "handled_reason"]

from __future__ import annotations

from django.contrib import admin

from imena.burials.models import Grave, Site
from imena.core.admin import AuditedModelAdmin


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "settlement", "region", "organisation"]
    list_filter = ["organisation", "region"]
    search_fields = ["name", "code", "settlement"]


@admin.register(Grave)
class GraveAdmin(AuditedModelAdmin):
    organisation_path = "site__organisation"
    list_display = [
        "ref",
        "marker_text",
        "number",
        "site",
        "kind",
        "status",
        "withdrawn",
    ]
    list_filter = ["site", "kind", "status", "withdrawn"]
    search_fields = ["ref", "marker_text", "number"]
    readonly_fields = ["number", "created", "updated", "created_by"]

    def save_model(self, request, obj, form, change):
        obj.derive_number()
        super().save_model(request, obj, form, change)

from __future__ import annotations

from django.contrib import admin

from imena.burials.models import Grave, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "settlement", "region", "organisation"]
    list_filter = ["organisation", "region"]
    search_fields = ["name", "code", "settlement"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Grave)
class GraveAdmin(admin.ModelAdmin):
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

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

from __future__ import annotations

from typing import Any

from django.contrib import admin

from imena.exhumations.models import (
    Body,
    CustodyEntry,
    EvidenceItem,
    Exhumation,
    Sample,
)


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Exhumation)
class ExhumationAdmin(NoDeleteAdmin):
    list_display = ["grave", "date", "bodies_found", "journal_flag"]


@admin.register(Body)
class BodyAdmin(NoDeleteAdmin):
    list_display = ["pm_number", "grave", "kind"]
    search_fields = ["pm_number"]


@admin.register(Sample)
class SampleAdmin(NoDeleteAdmin):
    list_display = ["sample_id", "body", "sample_type", "status"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(NoDeleteAdmin):
    list_display = ["number", "kind", "grave", "holder"]
    readonly_fields = ["sha256", "size", "media_type"]


@admin.register(CustodyEntry)
class CustodyEntryAdmin(NoDeleteAdmin):
    list_display = ["item", "seq", "action", "to_person", "at"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

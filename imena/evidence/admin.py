from __future__ import annotations

from django.contrib import admin

from imena.core.admin import ReadOnlyAdmin
from imena.evidence.models import CustodyEntry, EvidenceItem


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "grave", "holder"]
    readonly_fields = ["sha256", "size", "media_type"]


@admin.register(CustodyEntry)
class CustodyEntryAdmin(ReadOnlyAdmin):
    list_display = ["item", "seq", "action", "to_person", "at"]
    organisation_path = "item__organisation"

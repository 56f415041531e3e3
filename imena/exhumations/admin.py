from __future__ import annotations

from django.contrib import admin

from imena.core.admin import ReadOnlyAdmin
from imena.exhumations.models import (
    Body,
    Exhumation,
    Sample,
)


@admin.register(Exhumation)
class ExhumationAdmin(ReadOnlyAdmin):
    list_display = ["grave", "date", "bodies_found", "journal_flag"]


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ["pm_number", "grave", "kind"]
    search_fields = ["pm_number"]


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ["sample_id", "body", "sample_type", "status"]

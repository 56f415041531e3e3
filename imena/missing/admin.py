from __future__ import annotations

from django.contrib import admin

from imena.core.admin import ReadOnlyAdmin
from imena.missing.models import (
    ContactRequest,
    MissingPerson,
    PedigreeMember,
    ReferenceSample,
)


@admin.register(MissingPerson)
class MissingPersonAdmin(ReadOnlyAdmin):
    list_display = ["case_no", "family_name", "given_names", "status", "organisation"]
    list_filter = ["organisation", "status"]
    search_fields = ["case_no", "family_name", "given_names"]


@admin.register(PedigreeMember)
class PedigreeMemberAdmin(ReadOnlyAdmin):
    organisation_path = "person__organisation"
    list_display = ["person", "member_id", "sex", "relationship", "is_missing"]


@admin.register(ReferenceSample)
class ReferenceSampleAdmin(ReadOnlyAdmin):
    list_display = ["sample_id", "member", "consent_date", "consent_withdrawn_date"]
    exclude = ["profile"]


@admin.register(ContactRequest)
class ContactRequestAdmin(ReadOnlyAdmin):
    list_display = ["created", "organisation", "handled"]

from __future__ import annotations

from django.contrib import admin

from imena.missing.models import (
    ContactRequest,
    MissingPerson,
    PedigreeMember,
    ReferenceSample,
)


class NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MissingPerson)
class MissingPersonAdmin(NoDelete):
    list_display = ["case_no", "family_name", "given_names", "status", "organisation"]
    list_filter = ["organisation", "status"]
    search_fields = ["case_no", "family_name", "given_names"]


@admin.register(PedigreeMember)
class PedigreeMemberAdmin(NoDelete):
    list_display = ["person", "member_id", "sex", "relationship", "is_missing"]


@admin.register(ReferenceSample)
class ReferenceSampleAdmin(NoDelete):
    list_display = ["sample_id", "member", "consent_date", "consent_withdrawn_date"]
    exclude = ["profile"]


@admin.register(ContactRequest)
class ContactRequestAdmin(NoDelete):
    list_display = ["created", "organisation", "handled"]

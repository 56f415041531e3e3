from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from imena.accounts.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "created"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_active"]
    list_filter = ["organisation", "role", "is_active"]
    fieldsets = (  # type: ignore[misc]
        *BaseUserAdmin.fieldsets,
        (_("Imena"), {"fields": ("organisation", "role")}),
    )

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: the audit log names them.
        return False

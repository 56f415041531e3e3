"""Admin edits go through the audit log like every other change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from imena.audit.services import audit_record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            before = snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            before=before,
            after=snapshot(obj),
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

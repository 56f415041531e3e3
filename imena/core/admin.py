"""Django admin: scoped to the administrator's organisation, and no change
that escapes the audit log (#19 row 3).

* ``ReadOnlyAdmin``: models changed only through Imena's audited services
  (its own pages). Admin shows them; it never adds, changes or deletes.
* ``AuditedModelAdmin``: the few models whose admin edit is itself audited
  (sites, graves, organisations).
* Every admin lists only the administrator's organisation, unless the user is
  a national administrator (a superuser with no organisation); foreign-key
  choices are limited the same way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from imena.accounts.services import is_national_admin
from imena.audit.services import audit_record, snapshot


class OrganisationScopedAdmin(admin.ModelAdmin):
    #: Lookup from the model to its organisation's id.
    organisation_path = "organisation"

    def get_queryset(self, request: Any) -> models.QuerySet[Any]:
        qs = super().get_queryset(request)
        if is_national_admin(request.user):
            return qs
        org_id = getattr(request.user, "organisation_id", None)
        if org_id is None:
            return qs.none()
        return qs.filter(**{self.organisation_path: org_id})

    def formfield_for_foreignkey(
        self, db_field: Any, request: Any, **kwargs: Any
    ) -> Any:
        related = self.admin_site._registry.get(db_field.related_model)  # noqa: SLF001
        if isinstance(related, OrganisationScopedAdmin):
            kwargs["queryset"] = related.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(OrganisationScopedAdmin):
    """Shown, never changed here: the model's changes go through its audited
    services."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class AuditedModelAdmin(OrganisationScopedAdmin):
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

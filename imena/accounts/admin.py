from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imena.accounts import services
from imena.accounts.models import Organisation, User, UserChangeRequest
from imena.audit.services import audit_record, snapshot
from imena.core.admin import AuditedModelAdmin, OrganisationScopedAdmin


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "created"]
    search_fields = ["name", "code"]
    organisation_path = "pk"

    def has_add_permission(self, request: Any) -> bool:
        return services.is_national_admin(request.user)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return services.is_national_admin(request.user)


def _user_state(user: User) -> dict[str, Any]:
    return snapshot(user, services.USER_AUDIT_FIELDS)


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    """Names, e-mail and active flag change here (audited); organisation,
    role, staff/superuser flags, groups and permissions become a pending
    change that a second administrator approves."""

    list_display = ["username", "email", "organisation", "role", "is_active"]
    list_filter = ["organisation", "role", "is_active"]
    fieldsets = (  # type: ignore[misc]
        *BaseUserAdmin.fieldsets,
        (gettext_lazy("Imena"), {"fields": ("organisation", "role")}),
    )

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not services.is_national_admin(request.user):
            fields.append("is_superuser")
        return fields

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        old = User.objects.get(pk=obj.pk) if change and obj.pk else None
        requested: dict[str, Any] = {}
        for name in services.PRIVILEGED_FIELDS:
            if change and name in form.changed_data:
                value = getattr(obj, name)
                requested[name] = value.pk if isinstance(value, models.Model) else value
                setattr(obj, name, getattr(old, name))
        if not change and not services.is_national_admin(request.user):
            # A new account starts in its creator's organisation with the
            # default (least) role; anything more needs a second administrator.
            obj.organisation_id = request.user.organisation_id
        form._imena_requested = requested  # noqa: SLF001 - read in save_related
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            before=_user_state(old) if old else None,
            after=_user_state(obj),
        )

    def save_related(
        self, request: Any, form: Any, formsets: Any, change: bool
    ) -> None:
        requested: dict[str, Any] = getattr(form, "_imena_requested", {})
        obj = form.instance
        for name in services.PRIVILEGED_M2M:
            if name not in form.cleaned_data:
                continue
            wanted = sorted(o.pk for o in form.cleaned_data[name])
            current = list(getattr(obj, name).all())
            if wanted != sorted(o.pk for o in current):
                requested[name] = wanted
            form.cleaned_data[name] = current
        super().save_related(request, form, formsets, change)
        if requested:
            # Refused (another organisation, a superuser flag): 403, and the
            # whole admin save rolls back.
            services.user_change_request(
                actor=request.user, user=obj, changes=requested
            )
            self.message_user(
                request,
                _(
                    "The change of organisation, role or permissions waits for a "
                    "second administrator's approval (User change requests)."
                ),
                messages.WARNING,
            )

    def user_change_password(
        self, request: Any, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit_record(
                actor=request.user,
                action="accounts.user.password_set",
                obj=user,
            )
        return response


@admin.register(UserChangeRequest)
class UserChangeRequestAdmin(OrganisationScopedAdmin):
    list_display = [
        "requested",
        "user",
        "changes",
        "requested_by",
        "status",
        "decided_by",
    ]
    list_filter = ["status"]
    organisation_path = "user__organisation"
    actions = ["approve", "reject"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def _decide(self, request: Any, queryset: Any, approve: bool) -> None:
        done = 0
        for change in queryset:
            try:
                if approve:
                    services.user_change_approve(actor=request.user, change=change)
                else:
                    services.user_change_reject(actor=request.user, change=change)
                done += 1
            except (PermissionDenied, ValidationError) as e:
                text = (
                    " ".join(e.messages) if isinstance(e, ValidationError) else str(e)
                )
                self.message_user(request, f"{change.user}: {text}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)d change(s) decided.") % {"count": done}
            )

    @admin.action(description=gettext_lazy("Approve the selected changes"))
    def approve(self, request: Any, queryset: Any) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=gettext_lazy("Reject the selected changes"))
    def reject(self, request: Any, queryset: Any) -> None:
        self._decide(request, queryset, approve=False)

    def get_actions(self, request: Any) -> Any:
        # Actions run without change permission (the model has none here).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Imena grants by role; groups are shown, never changed here."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

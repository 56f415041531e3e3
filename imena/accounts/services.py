"""Changes of users' organisation, role and permissions: audited, two administrators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.accounts.models import Organisation, Role, User, UserChangeRequest
from imena.audit.services import audit_record

#: The fields of a user that only two administrators change together.
PRIVILEGED_FIELDS = ("organisation", "role", "is_staff", "is_superuser")
PRIVILEGED_M2M = ("groups", "user_permissions")
#: What the audit log keeps of a user (never the password hash).
USER_AUDIT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    *PRIVILEGED_FIELDS,
)


def is_national_admin(user: Any) -> bool:
    """A superuser who belongs to no organisation administers every one."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_superuser
        and user.organisation_id is None
    )


def may_administer(actor: User, target: User) -> bool:
    if is_national_admin(actor):
        return True
    is_admin = (
        actor.is_active
        and actor.is_staff
        and (actor.is_superuser or actor.role == Role.ADMINISTRATOR)
    )
    return bool(
        is_admin
        and actor.organisation_id is not None
        and actor.organisation_id == target.organisation_id
    )


def user_privileges(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation": user.organisation_id,
        "role": user.role,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }
    if user.pk:
        data["groups"] = sorted(user.groups.values_list("pk", flat=True))
        data["user_permissions"] = sorted(
            user.user_permissions.values_list("pk", flat=True)
        )
    return data


def _check_scope(actor: User, target: User, changes: dict[str, Any]) -> None:
    if not may_administer(actor, target):
        raise PermissionDenied(_("You do not administer this user."))
    if is_national_admin(actor):
        return
    if changes.get("is_superuser"):
        raise PermissionDenied(_("Only a national administrator makes superusers."))
    if "organisation" in changes and changes["organisation"] != actor.organisation_id:
        raise PermissionDenied(
            _("Only a national administrator moves a user to another organisation.")
        )


@transaction.atomic
def user_change_request(
    *, actor: User, user: User, changes: dict[str, Any]
) -> UserChangeRequest:
    """Ask for a change of ``user``'s privileged fields; nothing changes yet."""
    unknown = set(changes) - set(PRIVILEGED_FIELDS) - set(PRIVILEGED_M2M)
    if unknown or not changes:
        raise ValueError(f"not a privileged change: {sorted(unknown) or changes}")
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationError(_("Unknown role."))
    _check_scope(actor, user, changes)
    request = UserChangeRequest.objects.create(
        user=user, changes=changes, requested_by=actor
    )
    current = user_privileges(user)
    audit_record(
        actor=actor,
        action="accounts.user_change.request",
        obj=user,
        before={k: current.get(k) for k in changes},
        after={"request": request.pk, **changes},
    )
    return request


def _decide(actor: User, change: UserChangeRequest) -> UserChangeRequest:
    change = (
        UserChangeRequest.objects.select_for_update()
        .select_related("user")
        .get(pk=change.pk)
    )
    if change.status != UserChangeRequest.Status.PENDING:
        raise ValidationError(_("This change has already been decided."))
    if actor.pk == change.requested_by_id:
        raise ValidationError(
            _("A second administrator must decide on a change you requested.")
        )
    if actor.pk == change.user_id:
        raise ValidationError(_("You cannot decide on a change of your own account."))
    _check_scope(actor, change.user, change.changes)
    return change


@transaction.atomic
def user_change_approve(*, actor: User, change: UserChangeRequest) -> User:
    """A second administrator applies a requested change; audited."""
    change = _decide(actor, change)
    user = User.objects.select_for_update().get(pk=change.user_id)
    before = user_privileges(user)
    values = change.changes
    if "organisation" in values:
        org_id = values["organisation"]
        user.organisation = (
            Organisation.objects.get(pk=org_id) if org_id is not None else None
        )
    for name in ("role", "is_staff", "is_superuser"):
        if name in values:
            setattr(user, name, values[name])
    user.full_clean(exclude=["password"])
    fields = [f for f in PRIVILEGED_FIELDS if f in values]
    if fields:
        user.save(update_fields=fields)
    for name in PRIVILEGED_M2M:
        if name in values:
            getattr(user, name).set(values[name])
    change.status = UserChangeRequest.Status.APPROVED
    change.decided_by = actor
    change.decided = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided"])
    audit_record(
        actor=actor,
        action="accounts.user.privileges_change",
        obj=user,
        before={k: before[k] for k in values},
        after={"request": change.pk, "requested_by": change.requested_by_id, **values},
    )
    return user


@transaction.atomic
def user_change_reject(*, actor: User, change: UserChangeRequest) -> None:
    change = _decide(actor, change)
    change.status = UserChangeRequest.Status.REJECTED
    change.decided_by = actor
    change.decided = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided"])
    audit_record(
        actor=actor,
        action="accounts.user_change.reject",
        obj=change.user,
        after={"request": change.pk, **change.changes},
    )


@transaction.atomic
def user_set_language(*, user: User, language: str) -> bool:
    """Keep ``language`` as the user's interface language; False if unchanged."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if language == user.language:
        return False
    before = user.language
    user.language = language
    user.save(update_fields=["language"])
    audit_record(
        actor=user,
        action="user.language",
        obj=user,
        before={"language": before},
        after={"language": language},
        organisation_id=user.organisation_id,
    )
    return True

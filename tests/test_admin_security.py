"""Django admin cannot change audited records behind the log, user privileges
need two administrators, and admin is scoped to the organisation (#19 rows 3, 18)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from conftest import make_user
from imena.accounts.models import Role, User, UserChangeRequest
from imena.accounts.services import user_change_approve
from imena.audit.models import AuditEntry
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _admin(org, username: str, *, superuser: bool = True) -> User:
    user = make_user(org, Role.ADMINISTRATOR, username)
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    return user


def _national(username: str = "national") -> User:
    user = User(username=username, is_staff=True, is_superuser=True)
    user.set_password("pw")
    user.save()
    return user


def _user_form(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "organisation": user.organisation_id or "",
        "role": user.role,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_missing_person_cannot_be_changed_in_admin(client, org) -> None:
    person = make_person(org)
    client.force_login(_admin(org, "boss"))
    url = reverse("admin:missing_missingperson_change", args=[person.pk])
    assert client.get(url).status_code == 200  # shown, read-only
    response = client.post(url, {"status": "identified", "case_no": person.case_no})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.status != "identified"


def test_no_audited_model_is_editable_in_admin(client, org) -> None:
    from django.contrib import admin

    from imena.core.admin import AuditedModelAdmin, ReadOnlyAdmin

    request = type("R", (), {"user": _admin(org, "boss")})()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if isinstance(model_admin, AuditedModelAdmin | ReadOnlyAdmin):
            continue
        if label in ("accounts.User", "accounts.UserChangeRequest", "auth.Group"):
            continue
        assert not model_admin.has_change_permission(request), label


def test_user_role_and_organisation_need_a_second_administrator(
    client, org, other_org
) -> None:
    first, second = _admin(org, "first"), _admin(org, "second")
    target = make_user(org, Role.FIELD_RECORDER, "target")
    client.force_login(first)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    response = client.post(url, _user_form(target, role=Role.DNA_ANALYST))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.FIELD_RECORDER  # not yet
    change = UserChangeRequest.objects.get(user=target)
    assert change.changes == {"role": Role.DNA_ANALYST}
    assert AuditEntry.objects.filter(action="accounts.user_change.request").exists()

    changes_url = reverse("admin:accounts_userchangerequest_changelist")
    action = {"action": "approve", "_selected_action": [change.pk]}
    client.post(changes_url, action)  # the requester cannot approve
    target.refresh_from_db()
    assert target.role == Role.FIELD_RECORDER

    client.force_login(second)
    client.post(changes_url, action)
    target.refresh_from_db()
    assert target.role == Role.DNA_ANALYST
    entry = AuditEntry.objects.get(action="accounts.user.privileges_change")
    assert entry.before_data == {"role": Role.FIELD_RECORDER}
    assert entry.actor == second and entry.after_data["requested_by"] == first.pk


def test_the_database_refuses_one_person_deciding_their_own_request(org) -> None:
    first = _admin(org, "first")
    target = make_user(org, Role.FIELD_RECORDER, "target")
    change = UserChangeRequest.objects.create(
        user=target, changes={"role": "dna_analyst"}, requested_by=first
    )
    change.status = "approved"
    change.decided_by = first
    with pytest.raises(IntegrityError), transaction.atomic():
        change.save()


def test_approving_a_change_of_ones_own_account_is_refused(org) -> None:
    from django.core.exceptions import ValidationError

    first, second = _admin(org, "first"), _admin(org, "second")
    change = UserChangeRequest.objects.create(
        user=second, changes={"is_staff": False}, requested_by=first
    )
    with pytest.raises(ValidationError):
        user_change_approve(actor=second, change=change)


def test_admin_is_scoped_to_the_organisation(client, org, other_org) -> None:
    mine = _admin(org, "boss")
    foreign = make_user(other_org, Role.INVESTIGATOR, "foreigner")
    client.force_login(mine)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert b"foreigner" not in listing.content
    url = reverse("admin:accounts_user_change", args=[foreign.pk])
    assert client.get(url).status_code == 302  # "does not exist", back to index
    client.post(url, _user_form(foreign, role=Role.DNA_ANALYST))
    assert not UserChangeRequest.objects.exists()

    client.force_login(_national())
    assert b"foreigner" in client.get(reverse("admin:accounts_user_changelist")).content


def test_an_organisation_admin_cannot_move_a_user_out_or_make_a_superuser(
    client, org, other_org
) -> None:
    client.force_login(_admin(org, "boss"))
    target = make_user(org, Role.FIELD_RECORDER, "target")
    url = reverse("admin:accounts_user_change", args=[target.pk])
    # The other organisation is not a choice: the form is shown again.
    response = client.post(url, _user_form(target, organisation=other_org.pk))
    assert response.status_code == 200
    client.post(url, _user_form(target, is_superuser="on"))
    target.refresh_from_db()
    assert not target.is_superuser and not UserChangeRequest.objects.exists()


def test_setting_a_password_in_admin_is_audited(client, org) -> None:
    client.force_login(_admin(org, "boss"))
    target = make_user(org, Role.FIELD_RECORDER, "target")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(
        url, {"password1": "a-long-new-pass-2026", "password2": "a-long-new-pass-2026"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="accounts.user.password_set", object_id=str(target.pk)
    ).exists()

"""App tokens end with the password they were created under.

A password is changed in several places (admin, `changepassword`, a future
self-service form); comparing the stored hash on every save of a user catches
them all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db.models.signals import post_save, pre_save

from imena.odk.services import app_tokens_revoke_all


def remember_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    stored = (
        sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    )
    changed = stored is not None and stored != instance.password
    raw = getattr(instance, "_password", None)
    if changed and raw is not None and check_password(raw, stored):
        # The same password re-hashed (a new hasher or more iterations).
        changed = False
    instance._imena_password_changed = changed


def revoke_tokens_after_password_change(
    sender: Any, instance: Any, created: bool, **kwargs: Any
) -> None:
    if created or not getattr(instance, "_imena_password_changed", False):
        return
    instance._imena_password_changed = False

    app_tokens_revoke_all(user=instance, reason="password changed")


def connect() -> None:

    user_model = get_user_model()
    pre_save.connect(remember_password_change, sender=user_model, dispatch_uid="odk-pw")
    post_save.connect(
        revoke_tokens_after_password_change, sender=user_model, dispatch_uid="odk-pw"
    )

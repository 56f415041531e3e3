"""Correct a record's fields with a reason, keeping the old values in the audit log."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from imena.audit.services import audit_record, snapshot

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from imena.accounts.models import User

M = TypeVar("M", bound=models.Model)


def is_empty(value: Any) -> bool:
    """Nothing recorded yet: filling such a field is recording, not correcting."""
    return value in (None, "", [], False)


def auto_now_fields(obj: models.Model) -> list[str]:
    """The ``auto_now`` fields, which ``save(update_fields=...)`` sets only when named."""
    return [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]


def apply_correction(
    obj: M,
    changes: Mapping[str, Any],
    *,
    actor: User | None,
    action: str,
    reason: str,
    organisation_id: int,
    about: models.Model | None = None,
    key: Mapping[str, Any] | None = None,
    prepare: Callable[[M, Mapping[str, Any]], None] | None = None,
    filling_is_free: bool = False,
    no_reason: StrOrPromise | None = None,
) -> tuple[M, bool]:
    """Lock ``obj``, set the values that differ, validate, save and audit them.

    Call it inside the service's transaction. A correction needs a reason
    (``ValidationError`` on ``reason`` with ``no_reason``); with
    ``filling_is_free``, filling fields that held nothing is recording and
    needs none. ``prepare(obj, changed)`` runs after the new values are set,
    to derive other fields or check the record; every field that ends up
    different is saved and audited. The entry is written on ``about`` (default
    ``obj``): ``before`` is ``{**key, old values}``, ``after`` ``{**key, new
    values, "reason": reason}``. Returns the locked, updated record and
    whether anything changed; with nothing changed it writes nothing.
    """
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    changed = {k: v for k, v in changes.items() if getattr(obj, k) != v}
    if not changed:
        return obj, False
    recorded = any(not is_empty(getattr(obj, k)) for k in changed)
    if (recorded or not filling_is_free) and not reason.strip():
        raise ValidationError(
            {"reason": no_reason or _("Say why the record is corrected.")}
        )
    old = snapshot(obj)
    for k, v in changed.items():
        setattr(obj, k, v)
    if prepare is not None:
        prepare(obj, changed)
    obj.full_clean()
    new = snapshot(obj)
    fields = [name for name in new if new[name] != old.get(name)]
    attnames = {f.name: f.attname for f in obj._meta.concrete_fields}
    fields += [attnames.get(k, k) for k in changed]
    fields = list(dict.fromkeys(fields))  # in model order, once each
    obj.save(update_fields=[*fields, *auto_now_fields(obj)])
    audit_record(
        actor=actor,
        action=action,
        obj=about if about is not None else obj,
        before={**(key or {}), **{f: old[f] for f in fields}},
        after={
            **(key or {}),
            **{f: new[f] for f in fields},
            **({"reason": reason} if reason else {}),
        },
        organisation_id=organisation_id,
    )
    return obj, True

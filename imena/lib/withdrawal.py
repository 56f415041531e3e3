"""Withdrawal: a record made in error is marked, with a reason, and kept.

One abstract model (:class:`Withdrawable`), one database constraint
(:func:`withdrawal_has_reason`) and one service step (:func:`withdraw`) for
every app: graves, exhumations, bodies, post-mortem rows, DNA profiles and
ante-mortem photos.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imena.audit.services import audit_record
from imena.lib.corrections import auto_now_fields

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from imena.accounts.models import User


class WithdrawnQuerySet(models.QuerySet):
    """Records recorded in error are withdrawn (kept, marked), never deleted."""

    def current(self) -> WithdrawnQuerySet:
        """Only records not withdrawn: what statistics, exports and matching use."""
        return self.filter(withdrawn=False)

    def withdrawn(self) -> WithdrawnQuerySet:
        return self.filter(withdrawn=True)


class Withdrawable(models.Model):
    """A record that is withdrawn rather than deleted: flag, reason, when, who.

    ``withdrawn`` stays a column of its own: lists, counts and indexes filter
    on it, and the CSV and site exports carry it.
    """

    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    #: The form error when no reason is given; a model may name itself.
    reason_required: ClassVar[StrOrPromise] = _("Say why the record is withdrawn.")

    class Meta:
        abstract = True


def withdrawal_has_reason(prefix: str) -> models.CheckConstraint:
    """The one constraint: a withdrawn record names its reason."""
    return models.CheckConstraint(
        condition=Q(withdrawn=False) | ~Q(withdrawn_reason=""),
        name=f"{prefix}_withdrawal_has_reason",
        violation_error_message=_("Say why the record is withdrawn."),
    )


W = TypeVar("W", bound=Withdrawable)


def withdraw(
    obj: W,
    *,
    actor: User | None,
    reason: str,
    action: str,
    organisation_id: int,
    about: models.Model | None = None,
    key: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    already: StrOrPromise | None = None,
) -> tuple[W, bool]:
    """Lock ``obj``, mark it withdrawn (reason, time, actor), save and audit it.

    Call it inside the service's transaction. An empty reason is a
    ``ValidationError`` on ``reason``. A record already withdrawn raises
    ``ValidationError(already)`` when ``already`` is given, and is otherwise
    returned unchanged with ``False`` (nothing written). The audit entry is
    written on ``about`` (default ``obj``): ``before`` is ``{**key,
    "withdrawn": False}``, ``after`` ``{**key, "withdrawn": True, "reason":
    reason, **extra}``. Returns the locked record and whether it was withdrawn
    now.
    """
    if not reason.strip():
        raise ValidationError({"reason": type(obj).reason_required})
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if obj.withdrawn:
        if already is not None:
            raise ValidationError(already)
        return obj, False
    obj.withdrawn = True
    obj.withdrawn_reason = reason
    obj.withdrawn_at = timezone.now()
    obj.withdrawn_by = actor
    fields = ["withdrawn", "withdrawn_reason", "withdrawn_at", "withdrawn_by"]
    # Only the withdrawal is validated: an older record that a newer rule
    # would refuse can still be withdrawn.
    others = [f.name for f in obj._meta.concrete_fields if f.name not in fields]
    obj.clean_fields(exclude=others)
    obj.validate_constraints(exclude=others)
    obj.save(update_fields=[*fields, *auto_now_fields(obj)])
    audit_record(
        actor=actor,
        action=action,
        obj=about if about is not None else obj,
        before={**(key or {}), "withdrawn": False},
        after={**(key or {}), "withdrawn": True, "reason": reason, **(extra or {})},
        organisation_id=organisation_id,
    )
    return obj, True

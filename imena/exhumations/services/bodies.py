"""Exhumations and bodies: create, correct, categorise, withdraw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.burials.models import Grave, GraveStatus
from imena.burials.services import grave_set_status
from imena.exhumations.models import (
    Body,
    BodyCategory,
    BodyKind,
    Exhumation,
    PostMortemRecord,
)
from imena.exhumations.services.expectation import _refresh_expectation
from imena.exhumations.services.sections import _require_reason
from imena.lib.corrections import apply_correction
from imena.lib.withdrawal import withdraw

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Exhumations and bodies ------------------------------------------------


@transaction.atomic
def exhumation_create(
    *,
    actor: User | None,
    grave: Grave,
    date: dt.date,
    team: str,
    conditions: str = "",
    depth_cm: int | None = None,
    container: str = "",
    bodies_found: int = 0,
    notes: str = "",
    pm_numbers: Iterable[str] = (),
    audit: bool = True,
) -> Exhumation:
    """Record an exhumation and, optionally, its bodies' post-mortem numbers."""
    grave = Grave.objects.select_related("site").get(pk=grave.pk)
    exhumation = Exhumation(
        organisation_id=grave.site.organisation_id,
        grave=grave,
        date=date,
        team=team,
        conditions=conditions,
        depth_cm=depth_cm,
        container=container,
        bodies_found=bodies_found,
        notes=notes,
        created_by=actor,
    )
    exhumation.full_clean()
    exhumation.save()
    if audit:
        audit_record(
            actor=actor,
            action="exhumation.create",
            obj=exhumation,
            after=snapshot(exhumation),
            organisation_id=exhumation.organisation_id,
        )
    for pm_number in pm_numbers:
        if pm_number.strip():
            body_create(
                actor=actor, exhumation=exhumation, pm_number=pm_number, audit=audit
            )
    _refresh_expectation(exhumation, actor=actor, audit=audit)
    if grave.status == GraveStatus.REGISTERED:
        grave_set_status(
            actor=actor,
            grave=grave,
            status=GraveStatus.EXHUMED,
            reason=_("Exhumation recorded on %(date)s.") % {"date": date.isoformat()},
        )
    return exhumation


EXHUMATION_EDITABLE = (
    "date",
    "team",
    "conditions",
    "depth_cm",
    "container",
    "bodies_found",
    "notes",
)


@transaction.atomic
def exhumation_correct(
    *, actor: User, exhumation: Exhumation, reason: str, **changes: Any
) -> Exhumation:
    unknown = set(changes) - set(EXHUMATION_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_reason(reason)
    exhumation, changed = apply_correction(
        exhumation,
        changes,
        actor=actor,
        action="exhumation.correct",
        reason=reason,
        organisation_id=exhumation.organisation_id,
    )
    if changed:
        _refresh_expectation(exhumation, actor=actor)
    return exhumation


@transaction.atomic
def body_create(
    *,
    actor: User | None,
    exhumation: Exhumation,
    pm_number: str,
    kind: str = BodyKind.BODY,
    body_position: str = "",
    articulation: str = "",
    notes: str = "",
    audit: bool = True,
) -> Body:
    pm_number = pm_number.strip()
    if exhumation.withdrawn:
        raise ValidationError(
            _("This exhumation was withdrawn; record the body on the current one.")
        )
    clash = (
        Body.objects.filter(
            organisation_id=exhumation.organisation_id, pm_number=pm_number
        )
        .select_related("grave")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "pm_number": _(
                    "Post-mortem number %(number)s is already used (grave "
                    "%(grave)s); nothing was stored."
                )
                % {"number": pm_number, "grave": clash.grave}
            }
        )
    body = Body(
        organisation_id=exhumation.organisation_id,
        exhumation=exhumation,
        grave_id=exhumation.grave_id,
        pm_number=pm_number,
        marker_text=exhumation.grave.marker_text,
        kind=kind,
        body_position=body_position,
        articulation=articulation,
        notes=notes,
        created_by=actor,
    )
    body.full_clean()
    body.save()
    PostMortemRecord.objects.create(body=body)
    if audit:
        audit_record(
            actor=actor,
            action="body.create",
            obj=body,
            after=snapshot(body),
            organisation_id=body.organisation_id,
        )
        _refresh_expectation(exhumation, actor=actor)
    return body


# --- Civilian or military ---------------------------------------------------

# Post-mortem evidence that a body is military. Only what was found on the body
# counts (never who the journals or the families say it is): a uniform or
# camouflage clothing, or a military identity document.
MILITARY_CLOTHING_CATEGORIES = frozenset({"uniform"})
MILITARY_CLOTHING_PATTERNS = frozenset({"camouflage"})
MILITARY_DOCUMENTS = frozenset({"military_id"})


def category_from_findings(
    clothing: Iterable[Mapping[str, Any]], documents: Iterable[Mapping[str, Any]]
) -> str:
    """``military`` when the findings show a uniform or a military ID, else ``unknown``.

    ``clothing`` rows carry ``category`` and ``pattern``; ``documents`` rows carry
    ``category`` (or ``type``, as the simulator writes it). Nothing in the
    findings proves a civilian, so this never answers ``civilian``: that is the
    examiner's call on the body page.
    """
    for row in clothing:
        if (
            row.get("category") in MILITARY_CLOTHING_CATEGORIES
            or row.get("pattern") in MILITARY_CLOTHING_PATTERNS
        ):
            return BodyCategory.MILITARY
    for row in documents:
        if (row.get("category") or row.get("type")) in MILITARY_DOCUMENTS:
            return BodyCategory.MILITARY
    return BodyCategory.UNKNOWN


def category_suggestion(body: Body) -> str:
    """What the body's current clothing and document rows suggest (see above)."""
    items = body.items.filter(withdrawn=False).values("kind", "category", "pattern")
    clothing = [i for i in items if i["kind"] == "clothing"]
    documents = [i for i in items if i["kind"] == "document"]
    return category_from_findings(clothing, documents)


@transaction.atomic
def body_set_category(
    *, actor: User, body: Body, category: str, reason: str = ""
) -> Body:
    """Record whether the body is civilian or military.

    Setting it while it is ``unknown`` is recording; changing a recorded
    civilian/military value is a correction and needs ``reason``.
    """
    if category not in BodyCategory.values:
        raise ValidationError({"category": _("Unknown category.")})
    body = Body.objects.select_for_update().get(pk=body.pk)
    if body.withdrawn:
        raise ValidationError(_("This body was withdrawn; it cannot be changed."))
    if body.category == category:
        return body
    if body.category != BodyCategory.UNKNOWN:
        _require_reason(reason)
    before = {"category": body.category}
    body.category = category
    body.full_clean()
    body.save(update_fields=["category"])
    audit_record(
        actor=actor,
        action="body.category",
        obj=body,
        before=before,
        after={"category": category, **({"reason": reason} if reason.strip() else {})},
        organisation_id=body.organisation_id,
    )
    return body


# --- Withdrawal (recorded in error) -------------------------------------------


def _withdraw_body(*, actor: User, body: Body, reason: str, via: str = "") -> Body:
    body, _changed = withdraw(
        body,
        actor=actor,
        reason=reason,
        action="body.withdraw",
        organisation_id=body.organisation_id,
        extra={"via": via} if via else None,
        already=_("Body %(number)s is already withdrawn.") % {"number": body.pm_number},
    )
    after = {"withdrawn": True, "reason": reason, **({"via": via} if via else {})}
    # The grave page's history shows what happened to its findings.
    audit_record(
        actor=actor,
        action="grave.body_withdrawn",
        obj=body.grave,
        after={"body": body.pm_number, "body_id": body.pk, **after},
        organisation_id=body.organisation_id,
    )
    return body


@transaction.atomic
def body_withdraw(*, actor: User, body: Body, reason: str) -> Body:
    """Withdraw a body recorded in error: kept and shown as withdrawn, never deleted.

    A withdrawn body leaves statistics, export counts and identification
    candidates (they read ``Body.objects.current()``).
    """
    body = _withdraw_body(actor=actor, body=body, reason=reason)
    _refresh_expectation(body.exhumation, actor=actor)
    return body


@transaction.atomic
def exhumation_withdraw(
    *, actor: User, exhumation: Exhumation, reason: str
) -> Exhumation:
    """Withdraw an exhumation recorded in error, and with it its bodies.

    When no current exhumation of the grave is left and the grave is only
    ``exhumed``, it goes back to ``registered`` (a later status, such as at the
    morgue, was set by someone on other grounds and is left alone).
    """
    bodies = list(exhumation.bodies.current().select_related("grave").order_by("pk"))
    extra = {"bodies": [b.pm_number for b in bodies]}
    exhumation, _changed = withdraw(
        exhumation,
        actor=actor,
        reason=reason,
        action="exhumation.withdraw",
        organisation_id=exhumation.organisation_id,
        extra=extra,
        already=_("This exhumation is already withdrawn."),
    )
    after = {"withdrawn": True, "reason": reason, **extra}
    audit_record(
        actor=actor,
        action="grave.exhumation_withdrawn",
        obj=exhumation.grave,
        after={"exhumation_id": exhumation.pk, "date": exhumation.date, **after},
        organisation_id=exhumation.organisation_id,
    )
    for body in bodies:
        _withdraw_body(actor=actor, body=body, reason=reason, via="exhumation.withdraw")
    grave = exhumation.grave
    if grave.status == GraveStatus.EXHUMED and not grave.exhumations.current().exists():
        grave_set_status(
            actor=actor,
            grave=grave,
            status=GraveStatus.REGISTERED,
            reason=_("Exhumation of %(date)s withdrawn: %(reason)s")
            % {"date": exhumation.date.isoformat(), "reason": reason},
        )
    return exhumation

"""Writes to sites and graves. Each one is atomic and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.burials.models import Grave, GraveKind, GraveStatus, Site
from imena.burials.survey import SurveyMove, SurveyRow, survey_moves
from imena.lib.corrections import apply_correction
from imena.lib.withdrawal import withdraw

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User

GRAVE_EDITABLE = (
    "marker_text",
    "kind",
    "bodies_expected",
    "lat",
    "lon",
    "x",
    "y",
    "status",
    "notes",
)
SITE_EDITABLE = (
    "name",
    "settlement",
    "region",
    "lat",
    "lon",
    "boundary",
    "description",
)


@transaction.atomic
def site_create(
    *,
    actor: User | None,
    organisation: Organisation,
    code: str,
    name: str,
    settlement: str = "",
    region: str = "",
    lat: float | None = None,
    lon: float | None = None,
    boundary: dict[str, Any] | None = None,
    description: str = "",
) -> Site:
    site = Site(
        organisation=organisation,
        code=code,
        name=name,
        settlement=settlement,
        region=region,
        lat=lat,
        lon=lon,
        boundary=boundary,
        description=description,
    )
    site.full_clean()
    site.save()
    audit_record(
        actor=actor,
        action="site.create",
        obj=site,
        after=snapshot(site),
        organisation_id=organisation.pk,
    )
    return site


@transaction.atomic
def site_update(*, actor: User, site: Site, reason: str, **changes: Any) -> Site:
    """Correct a site's fields. The old values stay in the audit log."""
    unknown = set(changes) - set(SITE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    site, _changed = apply_correction(
        site,
        changes,
        actor=actor,
        action="site.update",
        reason=reason,
        organisation_id=site.organisation_id,
    )
    return site


def _next_ref(site: Site) -> str:
    count = Grave.objects.filter(site=site).count()
    while True:
        count += 1
        ref = Grave.make_ref(site.code, count)
        if not Grave.objects.filter(site=site, ref=ref).exists():
            return ref


@transaction.atomic
def grave_create(
    *,
    actor: User | None,
    site: Site,
    marker_text: str,
    kind: str = GraveKind.INDIVIDUAL,
    ref: str = "",
    bodies_expected: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    x: float | None = None,
    y: float | None = None,
    status: str = GraveStatus.REGISTERED,
    notes: str = "",
    audit: bool = True,
) -> Grave:
    grave = Grave(
        site=site,
        ref=ref or _next_ref(site),
        marker_text=marker_text.strip(),
        kind=kind,
        bodies_expected=bodies_expected,
        lat=lat,
        lon=lon,
        x=x,
        y=y,
        status=status,
        notes=notes,
        created_by=actor,
    )
    grave.derive_number()
    grave.full_clean()
    grave.save()
    if audit:
        audit_record(
            actor=actor,
            action="grave.create",
            obj=grave,
            after=snapshot(grave),
            organisation_id=site.organisation_id,
        )
    return grave


@transaction.atomic
def grave_update(*, actor: User, grave: Grave, reason: str, **changes: Any) -> Grave:
    """Correct a grave's fields. The old values stay in the audit log."""
    unknown = set(changes) - set(GRAVE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    grave, _changed = apply_correction(
        grave,
        changes,
        actor=actor,
        action="grave.update",
        reason=reason,
        organisation_id=grave.site.organisation_id,
        prepare=lambda g, _changed: g.derive_number(),
    )
    return grave


@transaction.atomic
def grave_set_status(
    *, actor: User | None, grave: Grave, status: str, reason: str
) -> Grave:
    if status not in GraveStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    grave = Grave.objects.select_for_update().select_related("site").get(pk=grave.pk)
    if grave.status == status:
        return grave
    before = grave.status
    grave.status = status
    grave.save(update_fields=["status", "updated"])
    audit_record(
        actor=actor,
        action="grave.status",
        obj=grave,
        before={"status": before},
        after={"status": status, "reason": reason},
        organisation_id=grave.site.organisation_id,
    )
    return grave


@transaction.atomic
def grave_withdraw(*, actor: User, grave: Grave, reason: str) -> Grave:
    """Withdraw a grave registered in error. It is kept, marked, never deleted."""
    grave, _changed = withdraw(
        grave,
        actor=actor,
        reason=reason,
        action="grave.withdraw",
        organisation_id=grave.site.organisation_id,
    )
    return grave


@transaction.atomic
def grave_positions_import(
    *, actor: User, site: Site, rows: list[SurveyRow], reason: str
) -> list[SurveyMove]:
    """Set the surveyed latitude/longitude of graves of `site`, all or nothing.

    Every row must name exactly one non-withdrawn grave of the site (by its
    number or register number), else SurveyError names the line and nothing is
    written. Each changed grave is corrected through `grave_update` (its old
    position stays in the audit log), then one entry records the survey.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    graves = Grave.objects.select_for_update().filter(site=site, withdrawn=False)
    moves = survey_moves(site, rows, graves=graves)
    for move in moves:
        if move.changed:
            move.grave = grave_update(
                actor=actor,
                grave=move.grave,
                reason=reason,
                lat=move.after[0],
                lon=move.after[1],
            )
    audit_record(
        actor=actor,
        action="site.survey_import",
        obj=site,
        after={
            "reason": reason,
            "rows": len(rows),
            "changed": sum(1 for m in moves if m.changed),
        },
        organisation_id=site.organisation_id,
    )
    return moves

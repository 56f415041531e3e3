"""Post-mortem sections and item rows: record, correct, withdraw, read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.exhumations.models import (
    Body,
    FindingReading,
    PostMortemRecord,
    SectionDraft,
    ToothFinding,
)
from imena.exhumations.services.sections import (
    ALL_SECTIONS,
    ITEM_KIND_OF_SECTION,
    ITEM_SECTIONS,
    REASON_REQUIRED,
    SECTIONS,
    _require_reason,
)
from imena.exhumations.vocab import codes, field_label, is_valid_fdi
from imena.lib.corrections import apply_correction
from imena.lib.withdrawal import withdraw

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Post-mortem sections ---------------------------------------------------


@transaction.atomic
def pm_section_save(
    *, actor: User, body: Body, section: str, data: Mapping[str, Any], reason: str = ""
) -> PostMortemRecord:
    """Save one section of the post-mortem record.

    Filling an empty field is recording; changing a recorded value is a
    correction and needs ``reason``. The audit entry holds old and new values.
    """
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}")
    fields = SECTIONS[section]
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"not in section {section}: {sorted(unknown)}")
    record, changed = apply_correction(
        PostMortemRecord.objects.get(body=body),
        data,
        actor=actor,
        action=f"pm.{section}",
        reason=reason,
        organisation_id=body.organisation_id,
        about=body,
        prepare=_check_torture_codes,
        filling_is_free=True,
        no_reason=REASON_REQUIRED,
    )
    if changed:
        SectionDraft.objects.filter(user=actor, body=body, section=section).delete()
    return record


def _check_torture_codes(record: PostMortemRecord, changed: Mapping[str, Any]) -> None:
    if "torture_indicators" in changed:
        _check_codes("torture_indicator", changed["torture_indicators"])


def _check_codes(key: str, values: Iterable[str]) -> None:

    allowed = codes(key)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValidationError(
            _("%(field)s: unknown code(s) %(codes)s.")
            % {"field": field_label(key), "codes": ", ".join(bad)}
        )


def _item_model(section: str) -> tuple[type[models.Model], tuple[str, ...]]:
    try:
        return ITEM_SECTIONS[section]
    except KeyError:
        raise ValueError(f"unknown item section {section!r}") from None


def _clean_item_data(section: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _model, fields = _item_model(section)
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"not in section {section}: {sorted(unknown)}")
    clean = dict(data)
    if section == "dental":
        tooth = clean.get("tooth")
        if not is_valid_fdi(tooth):
            raise ValidationError(
                {
                    "tooth": _(
                        "Tooth %(tooth)s is not an FDI tooth number (11–48 "
                        "permanent, 51–85 deciduous); nothing was stored."
                    )
                    % {"tooth": tooth}
                }
            )
        clean["tooth"] = int(tooth)  # type: ignore[arg-type]
        surfaces = str(clean.get("surfaces") or "").upper().replace(" ", "")
        if any(ch not in "MOIDBFLP" for ch in surfaces):
            raise ValidationError(
                {"surfaces": _("Surfaces are letters from M O I D B F L P.")}
            )
        clean["surfaces"] = "".join(dict.fromkeys(surfaces))
        _check_codes("endodontics", clean.get("endodontics") or [])
    if section == "clothing":
        _check_codes("clothing_category", [clean.get("category", "")])
        _check_codes("colour", clean.get("colours") or [])
        if clean.get("material"):
            _check_codes("material", [clean["material"]])
    if section == "effects":
        _check_codes("effect", [clean.get("category", "")])
    if section == "documents":
        _check_codes("identity_document", [clean.get("category", "")])
    return clean


@transaction.atomic
def pm_item_add(
    *, actor: User, body: Body, section: str, data: Mapping[str, Any]
) -> models.Model:
    """Add a particular, tooth, clothing item, effect, document or injury."""
    model, _fields = _item_model(section)
    clean = _clean_item_data(section, data)
    if (
        section == "dental"
        and ToothFinding.objects.filter(
            body=body, tooth=clean["tooth"], withdrawn=False
        ).exists()
    ):
        raise ValidationError(
            {
                "tooth": _(
                    "Tooth %(tooth)s is already charted for this body; correct it "
                    "instead."
                )
                % {"tooth": clean["tooth"]}
            }
        )
    if section in ITEM_KIND_OF_SECTION:
        clean["kind"] = ITEM_KIND_OF_SECTION[section]
    item = model(body=body, **clean)
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action=f"pm.{section}.add",
        obj=body,
        after={"id": item.pk, **snapshot(item, clean)},
        organisation_id=body.organisation_id,
    )
    SectionDraft.objects.filter(user=actor, body=body, section=section).delete()
    return item


@transaction.atomic
def pm_item_correct(
    *,
    actor: User,
    body: Body,
    section: str,
    item: models.Model,
    reason: str,
    data: Mapping[str, Any],
) -> models.Model:
    _require_reason(reason)
    model, _fields = _item_model(section)
    clean = _clean_item_data(section, data)
    row = model.objects.get(pk=item.pk, body=body)  # type: ignore[attr-defined]
    row, _changed = apply_correction(
        row,
        clean,
        actor=actor,
        action=f"pm.{section}.correct",
        reason=reason,
        organisation_id=body.organisation_id,
        about=body,
        key={"id": row.pk},
    )
    return row


@transaction.atomic
def pm_item_withdraw(
    *, actor: User, body: Body, section: str, item: models.Model, reason: str
) -> models.Model:
    """Mark a row recorded in error as withdrawn; it is kept, never deleted."""
    _require_reason(reason)
    model, _fields = _item_model(section)
    row = model.objects.get(pk=item.pk, body=body)  # type: ignore[attr-defined]
    row, _changed = withdraw(
        row,
        actor=actor,
        reason=reason,
        action=f"pm.{section}.withdraw",
        organisation_id=body.organisation_id,
        about=body,
        key={"id": row.pk},
    )
    return row


@transaction.atomic
def finding_mark_read(
    *,
    actor: User,
    body: Body,
    prosecutor: str,
    present: str = "",
    section: str = "",
    notes: str = "",
    read_at: dt.datetime | None = None,
) -> FindingReading:
    """Record that findings were read aloud to a prosecutor, and who was there."""
    if not prosecutor.strip():
        raise ValidationError({"prosecutor": _("Name the prosecutor.")})
    if section and section not in ALL_SECTIONS:
        raise ValidationError({"section": _("Unknown section.")})
    reading = FindingReading(
        body=body,
        section=section,
        read_at=read_at or timezone.now(),
        read_by=actor,
        prosecutor=prosecutor.strip(),
        present=present,
        notes=notes,
    )
    reading.full_clean()
    reading.save()
    audit_record(
        actor=actor,
        action="pm.read_to_prosecutor",
        obj=body,
        after=snapshot(reading),
        organisation_id=body.organisation_id,
    )
    return reading

"""Writes to exhumations, bodies, post-mortem records, samples and evidence.

Every function is atomic and appends to the audit log. Findings are corrected,
never overwritten silently: changing a value already recorded needs a reason,
and the old value stays in the audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imena.audit.services import audit_record, history_for, snapshot
from imena.burials.models import Grave, GraveStatus
from imena.burials.services import grave_set_status
from imena.dna.models import ProfileKind
from imena.dna.services import dna_profile_create, merged_with
from imena.exhumations.models import (
    Body,
    BodyCategory,
    BodyItem,
    BodyKind,
    Exhumation,
    FindingReading,
    Injury,
    JournalFlag,
    Particular,
    PostMortemRecord,
    Sample,
    SampleStatus,
    SectionDraft,
    ToothFinding,
)
from imena.exhumations.vocab import codes, field_label, is_valid_fdi
from imena.journals.selectors import journal_expectation
from imena.lib.corrections import apply_correction
from imena.lib.withdrawal import withdraw

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.dna.models import DNAProfile

# The single-valued post-mortem sections and their fields, in form order.
SECTIONS: dict[str, tuple[str, ...]] = {
    "biological": (
        "sex",
        "sex_method",
        "sex_certainty",
        "age_min",
        "age_max",
        "age_method",
        "stature_min",
        "stature_max",
        "stature_formula",
        "build",
    ),
    "physical": ("hair_colour", "hair_length", "facial_hair", "eye_colour"),
    "pathology": (
        "preservation",
        "cause_of_death",
        "cause_of_death_text",
        "manner_of_death",
    ),
    "torture": (
        "ligature_marks",
        "bound_hands",
        "gunshot_wounds",
        "blunt_force",
        "fractures",
        "burn_marks",
        "torture_indicators",
        "restraint_material",
        "restraint_location",
        "torture_consistency",
    ),
    "findings": ("findings",),
}
# Sections made of rows: the model and the fields a row form edits.
ITEM_SECTIONS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "particulars": (
        Particular,
        ("kind", "region", "side", "subtype", "serial", "description"),
    ),
    "dental": (
        ToothFinding,
        (
            "tooth",
            "status",
            "restoration",
            "surfaces",
            "crown",
            "bridge",
            "implant",
            "endodontics",
            "notes",
        ),
    ),
    "clothing": (
        BodyItem,
        (
            "category",
            "colours",
            "pattern",
            "material",
            "size_eu",
            "label_text",
            "description",
        ),
    ),
    "effects": (
        BodyItem,
        (
            "category",
            "material",
            "label_text",
            "serial",
            "location_on_body",
            "description",
        ),
    ),
    "documents": (
        BodyItem,
        ("category", "serial", "name_on_item", "location_on_body", "description"),
    ),
    "injuries": (
        Injury,
        (
            "region",
            "side",
            "mechanism",
            "timing",
            "gunshot_wound",
            "gunshot_range",
            "description",
        ),
    ),
}
ITEM_KIND_OF_SECTION = {
    "clothing": "clothing",
    "effects": "effect",
    "documents": "document",
}
ALL_SECTIONS = (*SECTIONS, *ITEM_SECTIONS)


#: The form error when a correction of a recorded finding gives no reason.
REASON_REQUIRED = gettext_lazy("This changes a finding already recorded: say why.")


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})


# --- Journal expectation ----------------------------------------------------


def expected_bodies_for_grave(grave: Grave) -> int | None:
    """How many bodies the journals lead us to expect in ``grave``, or None.

    The people that the site's latest reconciliation of the journals puts in
    the grave; without a reconciliation, the grave's own ``bodies_expected``.
    """
    value = journal_expectation(grave)
    if value is not None:
        return value
    return grave.bodies_expected


def journal_flag(expected: int | None, found: int) -> str:
    if expected is None or expected == found:
        return JournalFlag.NONE
    if expected == 0:
        return JournalFlag.UNEXPECTED_BODY
    if found == 0:
        return JournalFlag.MISSING_BODY
    return JournalFlag.COUNT_DIFFERS


def _refresh_expectation(
    exhumation: Exhumation, *, actor: User | None, audit: bool = True
) -> None:
    """Recount the bodies and compare with the journals; the change is
    audited (``exhumation.expectation``), so ``imena audit verify --records``
    knows the exhumation's current counts."""
    found = max(exhumation.bodies_found, exhumation.bodies.current().count())
    expected = expected_bodies_for_grave(exhumation.grave)
    flag = journal_flag(expected, found)
    fields = {"bodies_found": found, "bodies_expected": expected, "journal_flag": flag}
    changed = [k for k, v in fields.items() if getattr(exhumation, k) != v]
    if changed:
        before = {k: getattr(exhumation, k) for k in changed}
        for k in changed:
            setattr(exhumation, k, fields[k])
        exhumation.save(update_fields=changed)
        if audit:
            audit_record(
                actor=actor,
                action="exhumation.expectation",
                obj=exhumation,
                before=before,
                after={k: fields[k] for k in changed},
                organisation_id=exhumation.organisation_id,
            )


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


# --- Drafts (autosave; not findings, not audited) ----------------------------

MAX_DRAFT_FIELDS = 60
MAX_DRAFT_VALUE = 10_000


#: Posted by the autosave next to the form's fields: when the page was shown,
#: and the autosave's number on that page.
DRAFT_PAGE, DRAFT_SEQ = "draft_page", "draft_seq"


def _draft_page_time(value: Any) -> dt.datetime | None:
    try:
        shown = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return shown if timezone.is_aware(shown) else None


def _draft_seq(data: Mapping[str, Any]) -> int:
    try:
        return int(data.get(DRAFT_SEQ) or 0)
    except (TypeError, ValueError):
        return 0


@transaction.atomic
def draft_save(
    *, user: User, body: Body, section: str, data: Mapping[str, Any]
) -> bool:
    """Store the user's unsaved section form; False when the save came too late.

    Too late: the section was saved after the page that sent it was shown
    (its draft is of an edit already stored), or a later autosave of the same
    page is stored already (a retry overtaken by its successor). Two first
    saves at once: the loser of the insert updates the winner's row.
    """
    if section not in ALL_SECTIONS:
        raise ValueError(f"unknown section {section!r}")
    clean: dict[str, Any] = {}
    for key, value in list(data.items())[:MAX_DRAFT_FIELDS]:
        if key in ("csrfmiddlewaretoken",):
            continue
        if isinstance(value, list):
            clean[key] = [str(v)[:MAX_DRAFT_VALUE] for v in value[:MAX_DRAFT_FIELDS]]
        else:
            clean[key] = str(value)[:MAX_DRAFT_VALUE]
    shown = _draft_page_time(clean.get(DRAFT_PAGE))
    if (
        shown is not None
        and history_for(body)
        .filter(
            actor=user,
            action__in=[f"pm.{section}", f"pm.{section}.add"],
            created__gt=shown,
        )
        .exists()
    ):
        return False
    for attempt in range(3):
        try:
            with transaction.atomic():
                draft = (
                    SectionDraft.objects.select_for_update()
                    .filter(user=user, body=body, section=section)
                    .first()
                )
                if draft is None:
                    SectionDraft.objects.create(
                        user=user, body=body, section=section, data=clean
                    )
                    return True
                same_page = draft.data.get(DRAFT_PAGE) == clean.get(DRAFT_PAGE)
                if same_page and _draft_seq(draft.data) >= _draft_seq(clean) > 0:
                    return False
                draft.data = clean
                draft.save(update_fields=["data", "updated"])
                return True
        except IntegrityError:
            if attempt == 2:
                raise
    return False


def draft_get(*, user: User, body: Body, section: str) -> dict[str, Any] | None:
    draft = SectionDraft.objects.filter(user=user, body=body, section=section).first()
    if draft is None:
        return None
    data = {k: v for k, v in draft.data.items() if k not in (DRAFT_PAGE, DRAFT_SEQ)}
    return data or None


# --- Samples and DNA profiles ------------------------------------------------


@transaction.atomic
def sample_create(
    *,
    actor: User | None,
    body: Body,
    sample_id: str,
    sample_type: str,
    taken_by: str,
    taken_on: dt.date,
    bone_element: str = "",
    tooth: int | None = None,
    lab: str = "",
    sent_on: dt.date | None = None,
    status: str = SampleStatus.COLLECTED,
    audit: bool = True,
) -> Sample:
    if tooth is not None and not is_valid_fdi(tooth):
        raise ValidationError(
            {
                "tooth": _("Tooth %(tooth)s is not an FDI tooth number.")
                % {"tooth": tooth}
            }
        )
    if Sample.objects.filter(
        organisation_id=body.organisation_id, sample_id=sample_id.strip()
    ).exists():
        raise ValidationError(
            {"sample_id": _("Sample id %(id)s is already used.") % {"id": sample_id}}
        )
    sample = Sample(
        organisation_id=body.organisation_id,
        body=body,
        sample_id=sample_id.strip(),
        sample_type=sample_type,
        bone_element=bone_element,
        tooth=tooth,
        taken_by=taken_by,
        taken_on=taken_on,
        lab=lab,
        sent_on=sent_on,
        status=status,
        created_by=actor,
    )
    sample.full_clean()
    sample.save()
    if audit:
        audit_record(
            actor=actor,
            action="sample.create",
            obj=sample,
            after=snapshot(sample),
            organisation_id=sample.organisation_id,
        )
    return sample


SAMPLE_EDITABLE = ("lab", "sent_on", "status")


@transaction.atomic
def sample_update(
    *, actor: User, sample: Sample, reason: str, **changes: Any
) -> Sample:
    unknown = set(changes) - set(SAMPLE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    sample, _changed = apply_correction(
        sample,
        changes,
        actor=actor,
        action="sample.update",
        reason=reason,
        organisation_id=sample.organisation_id,
    )
    return sample


@transaction.atomic
def sample_attach_profile(
    *,
    actor: User | None,
    sample: Sample,
    genotypes: Mapping[str, Any],
    sex: int = 0,
    source_format: str = "",
    source_sha256: str = "",
    audit: bool = True,
    ystr: Mapping[str, Any] | None = None,
    mtdna: Mapping[str, Any] | None = None,
) -> DNAProfile:
    """Create the post-mortem DNA profile of a sample and link it.

    A second profile for the same sample supersedes the first, keeping the
    markers the new file lacks (autosomal, Y-STR, mtDNA: ``merged_with``).
    """

    sample = (
        Sample.objects.select_for_update()
        .select_related("organisation")
        .get(pk=sample.pk)
    )
    if not (genotypes or ystr or mtdna):
        raise ValidationError(
            _("No genotypes for sample %(id)s in the file.") % {"id": sample.sample_id}
        )
    previous = sample.profile
    entry = merged_with(
        previous, {"genotypes": genotypes, "sex": sex, "ystr": ystr, "mtdna": mtdna}
    )
    profile = dna_profile_create(
        actor=actor,
        organisation=sample.organisation,
        kind=ProfileKind.POST_MORTEM,
        label=sample.sample_id,
        genotypes=entry["genotypes"],
        sex=entry["sex"],
        ystr=entry["ystr"],
        mtdna=entry["mtdna"],
        source_format=source_format,
        source_sha256=source_sha256,
        lab=sample.lab,
        supersedes=previous if previous and previous.is_current else None,
        audit=audit,
    )
    sample.profile = profile
    sample.status = SampleStatus.PROFILE
    sample.save(update_fields=["profile", "status"])
    if audit:
        audit_record(
            actor=actor,
            action="sample.attach_profile",
            obj=sample,
            before={"profile_id": previous.pk if previous else None},
            after={"profile_id": profile.pk, "loci": profile.loci_typed},
            organisation_id=sample.organisation_id,
        )
    return profile


# --- For the identification side ------------------------------------------------


def pm_record_as_dict(body: Body) -> dict[str, Any]:
    """The body's post-mortem record as ``matching.records.PMRecord.from_dict`` takes it.

    Stature is given as the midpoint of the recorded range with half the range
    as its standard error; withdrawn rows are left out.
    """
    return pm_records_as_dicts([body])[body.pk]


def pm_records_as_dicts(bodies: Sequence[Body]) -> dict[int, dict[str, Any]]:
    """``pm_record_as_dict`` of many bodies in four queries per 5,000 bodies
    (not four per body)."""
    ids = [b.pk for b in bodies]
    pms: dict[int, PostMortemRecord] = {}
    rows: dict[str, dict[int, list[Any]]] = {
        name: defaultdict(list) for name in ("particulars", "teeth", "items")
    }
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        pms.update(
            (r.body_id, r) for r in PostMortemRecord.objects.filter(body_id__in=chunk)
        )
        for name, model in (
            ("particulars", Particular),
            ("teeth", ToothFinding),
            ("items", BodyItem),
        ):
            for row in model.objects.filter(body_id__in=chunk, withdrawn=False):
                rows[name][row.body_id].append(row)
    return {
        b.pk: _pm_dict(
            b,
            pms.get(b.pk) or PostMortemRecord(body=b),
            rows["particulars"].get(b.pk, []),
            rows["teeth"].get(b.pk, []),
            rows["items"].get(b.pk, []),
        )
        for b in bodies
    }


def _pm_dict(
    body: Body,
    pm: PostMortemRecord,
    particular_rows: Sequence[Particular],
    teeth: Sequence[ToothFinding],
    items: Sequence[BodyItem],
) -> dict[str, Any]:
    out: dict[str, Any] = {"body_id": body.pm_number}
    for key in ("sex", "sex_method", "build", "hair_colour", "eye_colour"):
        value = getattr(pm, key)
        if value:
            out[key] = value
    if pm.sex_certainty:
        out["sex_certainty"] = pm.sex_certainty
    if pm.age_min is not None or pm.age_max is not None:
        out["age_min"] = float(pm.age_min if pm.age_min is not None else pm.age_max)  # type: ignore[arg-type]
        out["age_max"] = float(pm.age_max if pm.age_max is not None else pm.age_min)  # type: ignore[arg-type]
    if pm.stature_min is not None or pm.stature_max is not None:
        low = pm.stature_min if pm.stature_min is not None else pm.stature_max
        high = pm.stature_max if pm.stature_max is not None else pm.stature_min
        out["stature_cm"] = (low + high) / 2  # type: ignore[operator]
        if high > low:  # type: ignore[operator]
            out["stature_se"] = (high - low) / 2  # type: ignore[operator]
    particulars = [
        {
            "kind": p.kind,
            "region": p.region or None,
            "side": p.side or None,
            "subtype": p.subtype or None,
            "serial": p.serial or None,
            "description": p.description,
        }
        for p in particular_rows
    ]
    if particulars:
        out["particulars"] = particulars
    dental = {
        t.tooth: {
            "status": t.status,
            "restoration": t.restoration or None,
            "surfaces": sorted(t.surfaces),
            "crown": t.crown or None,
            "bridge": t.bridge or None,
            "implant": t.implant or None,
            "endodontics": list(t.endodontics or []),
        }
        for t in teeth
    }
    if dental:
        out["dental"] = dental
    clothing, effects, documents = [], [], []
    for it in items:
        if it.kind == "clothing":
            clothing.append(
                {
                    "category": it.category,
                    "colours": list(it.colours or []),
                    "pattern": it.pattern or None,
                    "material": it.material or None,
                    "size_eu": it.size_eu,
                    "label_text": it.label_text or None,
                }
            )
        elif it.kind == "effect":
            effects.append(
                {
                    "category": it.category,
                    "material": it.material or None,
                    "label_text": it.label_text or None,
                    "serial": it.serial or None,
                }
            )
        else:
            documents.append(
                {
                    "kind": it.category,
                    "number": it.serial or None,
                    "name": it.name_on_item or None,
                }
            )
    for key, rows in (
        ("clothing", clothing),
        ("effects", effects),
        ("documents", documents),
    ):
        if rows:
            out[key] = rows
    return out

"""Missing-person reports: fields, checks, create, correct, status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.lib.corrections import apply_correction
from imena.missing import names
from imena.missing.models import (
    MissingPerson,
    NameKey,
    PedigreeMember,
    Status,
)
from imena.missing.selectors import name_keys
from imena.missing.vocab import codes
from matching.vocabulary import is_valid_fdi

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User


# Fields a liaison officer may set on a report through create/update.
REPORT_FIELDS = (
    "family_name",
    "family_name_unknown",
    "given_names",
    "patronymic",
    "aliases",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "age_min",
    "age_max",
    "place_of_birth",
    "home_city",
    "home_street",
    "home_region",
    "home_country",
    "last_seen_date",
    "last_seen_place",
    "last_seen_lat",
    "last_seen_lon",
    "circumstances",
    "circumstances_text",
    "stature_cm",
    "stature_source",
    "build",
    "handedness",
    "hair_colour",
    "hair_length",
    "hair_style",
    "facial_hair",
    "eye_colour",
    "particulars",
    "particulars_asked",
    "fractures",
    "medical_notes",
    "dental_chart",
    "dentist",
    "dental_as_of",
    "clothing",
    "effects",
    "documents",
    "description",
    "reporter_name",
    "reporter_relationship",
    "reporter_contact",
    "consent_identification",
    "consent_dna",
    "consent_publication",
    "consent_date",
    "consent_withdrawn_date",
    "pfif_record_id",
    "pfif_record",
    "source_date",
)

# Repeating sections: field -> (vocabulary key | "text" | "int" | "float" | "fdi",
# multi-valued?, required?)
SECTION_FIELDS: dict[str, dict[str, tuple[str, bool, bool]]] = {
    "particulars": {
        "kind": ("particular_kind", False, True),
        "region": ("body_region", False, False),
        "side": ("body_side", False, False),
        "subtype": ("text", False, False),
        "serial": ("text", False, False),
        "description": ("text", False, False),
    },
    "fractures": {
        "bone": ("text", False, True),
        "side": ("body_side", False, False),
        "year": ("int", False, False),
    },
    "dental_chart": {
        "tooth": ("fdi", False, True),
        "status": ("tooth_status", False, True),
        "restoration": ("restoration", False, False),
        "surfaces": ("surface", True, False),
        "crown": ("crown", False, False),
        "endodontics": ("endodontics", True, False),
    },
    "clothing": {
        "category": ("clothing_category", False, True),
        "colours": ("colour", True, False),
        "pattern": ("pattern", False, False),
        "material": ("material", False, False),
        "size_eu": ("float", False, False),
        "label_text": ("text", False, False),
    },
    "effects": {
        "category": ("effect", False, True),
        "serial": ("text", False, False),
        "engraving": ("text", False, False),
        "description": ("text", False, False),
    },
    "documents": {
        "kind": ("identity_document", False, True),
        "number": ("text", False, False),
    },
}


def clean_item(section: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check one row of a repeating section against the vocabulary."""
    spec = SECTION_FIELDS[section]
    out: dict[str, Any] = {}
    for name, (kind, multi, required) in spec.items():
        value = raw.get(name)
        if value in (None, "", [], ()):
            if required:
                raise ValidationError(
                    {
                        section: _("%(section)s: %(field)s is required.")
                        % {"section": section, "field": name}
                    }
                )
            continue
        if kind == "text":
            out[name] = str(value).strip()
        elif kind == "int":
            try:
                out[name] = int(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    {section: _("%(field)s must be a whole number.") % {"field": name}}
                ) from None
        elif kind == "float":
            try:
                out[name] = float(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    {section: _("%(field)s must be a number.") % {"field": name}}
                ) from None
        elif kind == "fdi":
            if not is_valid_fdi(value):
                raise ValidationError(
                    {
                        section: _(
                            "%(value)s is not an FDI tooth number (11-48, 51-85)."
                        )
                        % {"value": value}
                    }
                )
            out[name] = int(value)
        else:
            allowed = codes(kind)
            values = (
                list(value)
                if multi and not isinstance(value, str)
                else (list(value) if multi else [value])
            )
            for v in values:
                if v not in allowed:
                    raise ValidationError(
                        {
                            section: _("%(value)s is not a valid %(field)s.")
                            % {"value": v, "field": name}
                        }
                    )
            out[name] = sorted(set(values)) if multi else values[0]
    return out


def _check_dates(person: MissingPerson) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    rng = None
    if person.birth_year is not None:
        if person.birth_year < 1900:
            errors["birth_year"] = _("The year of birth is before 1900.")
        else:
            try:
                rng = person.birth_range()
            except ValueError:
                errors["birth_day"] = _("This day does not exist in that month.")
        if rng and rng[0] > today:
            errors["birth_year"] = _("The date of birth is in the future.")
    if person.last_seen_date is not None:
        if person.last_seen_date > today:
            errors["last_seen_date"] = _("The last-seen date is in the future.")
        elif rng and person.last_seen_date < rng[0]:
            errors["last_seen_date"] = _(
                "The person was last seen before they were born (%(date)s)."
            ) % {"date": person.date_of_birth}
    for name in ("consent_date", "consent_withdrawn_date"):
        value = getattr(person, name)
        if value is not None and value > today:
            errors[name] = _("This date is in the future.")
    if (
        person.consent_withdrawn_date
        and person.consent_date
        and person.consent_withdrawn_date < person.consent_date
    ):
        errors["consent_withdrawn_date"] = _(
            "Consent was withdrawn before it was given."
        )
    if errors:
        raise ValidationError(errors)


def _check_identity(person: MissingPerson) -> None:
    errors: dict[str, str] = {}
    if not person.given_names.strip():
        errors["given_names"] = _("The given name is required.")
    if not person.family_name.strip() and not person.family_name_unknown:
        errors["family_name"] = _(
            "The surname is required. If the family does not know it, tick "
            "“surname unknown”."
        )
    if not person.reporter_name.strip():
        errors["reporter_name"] = _("Name the person who reports.")
    if errors:
        raise ValidationError(errors)


def _derive_names(person: MissingPerson) -> None:
    person.family_name = names.clean(person.family_name)
    person.given_names = names.clean(person.given_names)
    person.patronymic = names.clean(person.patronymic)
    if person.family_name:
        person.family_name_unknown = False
    for attr, kind in (
        ("family_name", "family"),
        ("given_names", "given"),
        ("patronymic", "patronymic"),
    ):
        forms = names.name_forms(getattr(person, attr), kind)
        setattr(person, f"{attr}_latin", forms.latin)
        setattr(person, f"{attr}_ru", forms.russian)


def _index_names(person: MissingPerson) -> None:
    NameKey.objects.filter(person=person).delete()
    NameKey.objects.bulk_create(
        [NameKey(person=person, part=p, key=k) for p, k in sorted(name_keys(person))]
    )


def _next_case_no(organisation: Organisation) -> str:
    n = MissingPerson.objects.filter(organisation=organisation).count()
    while True:
        n += 1
        case_no = f"AM-{n:05d}"
        if not MissingPerson.objects.filter(
            organisation=organisation, case_no=case_no
        ).exists():
            return case_no


def _prepare(person: MissingPerson) -> None:
    for section in SECTION_FIELDS:
        rows = getattr(person, section) or []
        setattr(person, section, [clean_item(section, r) for r in rows])
    _check_identity(person)
    _derive_names(person)
    _check_dates(person)
    person.full_clean()


@transaction.atomic
def missing_person_create(
    *,
    actor: User | None,
    organisation: Organisation,
    case_no: str = "",
    audit: bool = True,
    **fields: Any,
) -> MissingPerson:
    """File a report. Surname and given name are required (or 'surname unknown')."""
    unknown = set(fields) - set(REPORT_FIELDS) - {"status"}
    if unknown:
        raise ValueError(f"unknown report fields: {sorted(unknown)}")
    person = MissingPerson(organisation=organisation, created_by=actor, **fields)
    person.case_no = case_no or _next_case_no(organisation)
    _prepare(person)
    person.save()
    _index_names(person)
    PedigreeMember.objects.create(
        person=person,
        member_id="MP",
        name=person.full_name,
        sex={"male": 1, "female": 2}.get(person.sex, 0),
        is_missing=True,
    )
    if audit:
        audit_record(
            actor=actor,
            action="missing.create",
            obj=person,
            after=snapshot(person),
            organisation_id=organisation.pk,
        )
    return person


@transaction.atomic
def missing_person_update(
    *, actor: User, person: MissingPerson, reason: str, **changes: Any
) -> MissingPerson:
    """Correct a report; the old values stay in the audit log."""
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    person, changed = apply_correction(
        person,
        changes,
        actor=actor,
        action="missing.update",
        reason=reason,
        organisation_id=person.organisation_id,
        prepare=lambda p, _changed: _prepare(p),
    )
    if not changed:
        return person
    _index_names(person)
    missing = person.pedigree.filter(is_missing=True).first()
    if missing is not None:
        missing.name = person.full_name
        if missing.sex == 0:
            missing.sex = {"male": 1, "female": 2}.get(person.sex, 0)
        missing.save(update_fields=["name", "sex"])
    return person


@transaction.atomic
def missing_person_add_item(
    *, actor: User, person: MissingPerson, section: str, item: Mapping[str, Any]
) -> MissingPerson:
    """Add one row to a repeating section (a mark, a tooth, a garment, ...)."""
    if section not in SECTION_FIELDS:
        raise ValueError(f"unknown section {section!r}")
    row = clean_item(section, item)
    person = MissingPerson.objects.select_for_update().get(pk=person.pk)
    rows = list(getattr(person, section))
    if section == "dental_chart":
        rows = [r for r in rows if r.get("tooth") != row["tooth"]]
    rows.append(row)
    if section == "dental_chart":
        rows.sort(key=lambda r: r["tooth"])
    setattr(person, section, rows)
    person.save(update_fields=[section, "updated"])
    audit_record(
        actor=actor,
        action="missing.add_item",
        obj=person,
        after={"section": section, "item": row},
        organisation_id=person.organisation_id,
    )
    return person


@transaction.atomic
def missing_person_set_status(
    *, actor: User, person: MissingPerson, status: str, reason: str
) -> MissingPerson:
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the status changes.")})
    person = MissingPerson.objects.select_for_update().get(pk=person.pk)
    before = person.status
    person.status = status
    person.save(update_fields=["status", "updated"])
    audit_record(
        actor=actor,
        action="missing.status",
        obj=person,
        before={"status": before},
        after={"status": status, "reason": reason},
        organisation_id=person.organisation_id,
    )
    return person

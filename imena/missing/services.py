"""Writes to missing-person reports, pedigrees and reference samples; audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.dna.models import ProfileKind
from imena.dna.services import dna_profile_create, dna_profile_withdraw
from imena.evidence import storage
from imena.lib.corrections import apply_correction
from imena.lib.withdrawal import withdraw
from imena.missing import names
from imena.missing.models import (
    ContactRequest,
    MissingPerson,
    MissingPhoto,
    NameKey,
    PedigreeMember,
    ReferenceSample,
    Status,
)
from imena.missing.vocab import codes
from kinship.case import Pedigree
from kinship.errors import KinshipError
from matching.vocabulary import is_valid_fdi

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.dna.uploads import CaseFamily

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


def name_keys(person: MissingPerson) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for attr, part, kind in (
        ("family_name", "f", "family"),
        ("given_names", "g", "given"),
        ("patronymic", "p", "patronymic"),
    ):
        for k in names.part_keys(getattr(person, attr), kind):
            keys.add((part, k[:80]))
    # Other spellings: each line read as a full name, words as family or given.
    for line in (person.aliases or "").splitlines():
        for word in names.words(line):
            for k in names.word_keys(word):
                keys.add(("f", k[:80]))
                keys.add(("g", k[:80]))
    return keys


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


# --- Duplicate reports -------------------------------------------------------


def births_compatible(a: MissingPerson, b: MissingPerson) -> bool:
    """Birth dates overlap at their precision; unknown on either side is compatible."""
    ra, rb = a.birth_range(), b.birth_range()
    if ra is None or rb is None:
        return True
    return ra[0] <= rb[1] and rb[0] <= ra[1]


def duplicate_candidates(person: MissingPerson) -> list[MissingPerson]:
    """Other live reports of the organisation that may be the same person:
    the same surname key and given-name key, and a compatible birth date."""
    mine = name_keys(person)
    fam = {k for p, k in mine if p == "f"}
    giv = {k for p, k in mine if p == "g"}
    if not fam or not giv:
        return []
    both = (
        NameKey.objects.filter(part="f", key__in=fam)
        .values_list("person_id", flat=True)
        .intersection(
            NameKey.objects.filter(part="g", key__in=giv).values_list(
                "person_id", flat=True
            )
        )
    )
    people = MissingPerson.objects.filter(
        pk__in=list(both),
        organisation_id=person.organisation_id,
        merged_into__isnull=True,
    ).exclude(pk=person.pk)
    return [p for p in people if births_compatible(person, p)]


@transaction.atomic
def missing_person_merge(
    *, actor: User, duplicate: MissingPerson, into: MissingPerson, reason: str
) -> MissingPerson:
    """Mark ``duplicate`` as merged into ``into``. Nothing is deleted; reversible."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the reports are the same person.")})
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("A report cannot be merged into itself.")})
    if duplicate.organisation_id != into.organisation_id:
        raise ValidationError(
            {"into": _("The reports belong to different organisations.")}
        )
    duplicate = MissingPerson.objects.select_for_update().get(pk=duplicate.pk)
    into = MissingPerson.objects.select_for_update().get(pk=into.pk)
    if duplicate.merged_into_id or into.merged_into_id:
        raise ValidationError({"into": _("One of the reports is already merged.")})
    if duplicate.merged_reports.exists():
        raise ValidationError(
            {"into": _("Other reports are merged into this one; unmerge them first.")}
        )
    duplicate.merged_into = into
    duplicate.merge_reason = reason
    duplicate.save(update_fields=["merged_into", "merge_reason", "updated"])
    audit_record(
        actor=actor,
        action="missing.merge",
        obj=duplicate,
        before={"merged_into": None},
        after={"merged_into": into.pk, "into_case_no": into.case_no, "reason": reason},
        organisation_id=duplicate.organisation_id,
    )
    return duplicate


@transaction.atomic
def missing_person_unmerge(
    *, actor: User, person: MissingPerson, reason: str
) -> MissingPerson:
    """Restore a merged report as a report of its own."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the merge is undone.")})
    person = MissingPerson.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id is None:
        raise ValidationError({"reason": _("This report is not merged.")})
    before = {"merged_into": person.merged_into_id, "merge_reason": person.merge_reason}
    person.merged_into = None
    person.merge_reason = ""
    person.save(update_fields=["merged_into", "merge_reason", "updated"])
    audit_record(
        actor=actor,
        action="missing.unmerge",
        obj=person,
        before=before,
        after={"merged_into": None, "reason": reason},
        organisation_id=person.organisation_id,
    )
    return person


# --- Pedigree and reference samples -------------------------------------------


def validate_pedigree(
    rows: list[tuple[str, str | None, str | None, int]], *, name: str
) -> None:
    """Check a pedigree with ``kinship`` (cycles, own parent, parents' sexes)."""

    for ident, fa, mo, _sex in rows:
        if ident in (fa, mo):
            raise ValidationError(
                _("%(member)s cannot be their own parent.") % {"member": ident}
            )
    try:
        Pedigree.from_lists(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            name=name,
        )
    except KinshipError as e:
        raise ValidationError(str(e)) from None


def _pedigree_rows(
    person: MissingPerson,
) -> list[tuple[str, str | None, str | None, int]]:
    members = list(person.pedigree.select_related("father", "mother"))
    return [
        (
            m.member_id,
            m.father.member_id if m.father else None,
            m.mother.member_id if m.mother else None,
            m.sex,
        )
        for m in members
    ]


def _next_member_id(person: MissingPerson) -> str:
    n = person.pedigree.count()
    while True:
        n += 1
        member_id = f"R{n}"
        if not person.pedigree.filter(member_id=member_id).exists():
            return member_id


@transaction.atomic
def pedigree_member_add(
    *,
    actor: User | None,
    person: MissingPerson,
    sex: int,
    name: str = "",
    relationship: str = "",
    member_id: str = "",
    father: PedigreeMember | None = None,
    mother: PedigreeMember | None = None,
    parent_of: PedigreeMember | None = None,
    audit: bool = True,
) -> PedigreeMember:
    """Place a relative (or an untyped connecting member) on the pedigree.

    ``parent_of``: the new member becomes that member's father or mother,
    according to the new member's sex.
    """
    for m in (father, mother, parent_of):
        if m is not None and m.person_id != person.pk:
            raise ValidationError(_("That member belongs to another family."))
    if relationship and relationship not in codes("donor_relationship"):
        raise ValidationError({"relationship": _("Unknown relationship.")})
    member = PedigreeMember(
        person=person,
        member_id=member_id or _next_member_id(person),
        name=name.strip(),
        sex=sex,
        father=father,
        mother=mother,
        relationship=relationship,
    )
    member.full_clean()
    member.save()
    if parent_of is not None:
        if sex not in (1, 2):
            raise ValidationError(
                {"parent_of": _("Give the sex of a parent (father or mother).")}
            )
        attr = "father" if sex == 1 else "mother"
        child = PedigreeMember.objects.select_for_update().get(pk=parent_of.pk)
        if getattr(child, f"{attr}_id") is not None:
            raise ValidationError(
                {
                    "parent_of": _("%(member)s already has a %(role)s on the pedigree.")
                    % {
                        "member": child,
                        "role": _("father") if sex == 1 else _("mother"),
                    }
                }
            )
        setattr(child, attr, member)
        child.save(update_fields=[attr])
    validate_pedigree(_pedigree_rows(person), name=person.case_no)
    if audit:
        audit_record(
            actor=actor,
            action="missing.pedigree.add",
            obj=person,
            after={
                "member": snapshot(member),
                "parent_of": parent_of.member_id if parent_of else None,
            },
            organisation_id=person.organisation_id,
        )
    return member


@transaction.atomic
def pedigree_member_set_parents(
    *,
    actor: User,
    member: PedigreeMember,
    father: PedigreeMember | None,
    mother: PedigreeMember | None,
) -> PedigreeMember:
    for m in (father, mother):
        if m is not None and m.person_id != member.person_id:
            raise ValidationError(_("That member belongs to another family."))
    if member in (father, mother):
        raise ValidationError(
            _("%(member)s cannot be their own parent.") % {"member": member.member_id}
        )
    before = {"father": member.father_id, "mother": member.mother_id}
    member.father, member.mother = father, mother
    member.full_clean()
    member.save(update_fields=["father", "mother"])
    validate_pedigree(_pedigree_rows(member.person), name=member.person.case_no)
    audit_record(
        actor=actor,
        action="missing.pedigree.parents",
        obj=member.person,
        before=before,
        after={
            "member": member.member_id,
            "father": member.father_id,
            "mother": member.mother_id,
        },
        organisation_id=member.person.organisation_id,
    )
    return member


@transaction.atomic
def reference_sample_create(
    *,
    actor: User | None,
    member: PedigreeMember,
    sample_id: str,
    genotypes: Mapping[str, list[str]] | None = None,
    profile_sex: int = 0,
    consent_scope: list[str] | None = None,
    consent_date: dt.date | None = None,
    reference_kind: str = "kinship",
    direct_source: str = "",
    collected: dt.date | None = None,
    source_format: str = "",
    source_sha256: str = "",
    audit: bool = True,
    ystr: Mapping[str, Any] | None = None,
    mtdna: Mapping[str, Any] | None = None,
) -> ReferenceSample:
    """Record a reference sample, with its consent and (optionally) its profile.

    The profile may hold autosomal genotypes, a Y-STR haplotype and an mtDNA
    sequence (issue 18), in any combination.
    """
    person = member.person
    typed = bool(genotypes or ystr or mtdna)
    scope = sorted(set(consent_scope or []))
    for s in scope:
        if s not in codes("consent_purpose"):
            raise ValidationError({"consent_scope": _("Unknown consent purpose.")})
    if typed and "dna" not in scope:
        raise ValidationError(
            {
                "consent_scope": _(
                    "A profile can be stored only with consent to DNA analysis."
                )
            }
        )
    if consent_date and consent_date > timezone.localdate():
        raise ValidationError({"consent_date": _("This date is in the future.")})
    if member.is_missing and reference_kind != "direct":
        raise ValidationError(
            {"member": _("A sample of the missing person is a direct reference.")}
        )
    if ReferenceSample.objects.filter(
        organisation_id=person.organisation_id, sample_id=sample_id
    ).exists():
        raise ValidationError({"sample_id": _("This sample id is already in use.")})
    profile = None
    if typed:
        profile = dna_profile_create(
            actor=actor,
            organisation=person.organisation,
            kind=ProfileKind.REFERENCE,
            label=sample_id,
            genotypes=genotypes or {},
            ystr=ystr,
            mtdna=mtdna,
            sex=profile_sex or member.sex,
            source_format=source_format,
            source_sha256=source_sha256,
            audit=audit,
        )
    sample = ReferenceSample(
        member=member,
        sample_id=sample_id,
        organisation_id=person.organisation_id,
        reference_kind=reference_kind,
        direct_source=direct_source,
        profile=profile,
        consent_scope=scope,
        consent_date=consent_date,
        collected=collected,
        created_by=actor,
    )
    sample.full_clean()
    sample.save()
    if audit:
        audit_record(
            actor=actor,
            action="missing.reference.create",
            obj=person,
            after={
                "sample_id": sample_id,
                "member": member.member_id,
                "profile": profile.pk if profile else None,
                "consent_scope": scope,
            },
            organisation_id=person.organisation_id,
        )
    return sample


@transaction.atomic
def reference_sample_withdraw_consent(
    *,
    actor: User | None,
    sample: ReferenceSample,
    reason: str,
    date: dt.date | None = None,
) -> ReferenceSample:
    """The donor withdraws consent: the sample is marked and its profile withdrawn."""

    if not reason.strip():
        raise ValidationError({"reason": _("Say why consent is withdrawn.")})
    sample = ReferenceSample.objects.select_for_update().get(pk=sample.pk)
    sample.consent_withdrawn_date = date or timezone.localdate()
    sample.consent_withdrawn_reason = reason
    sample.save(update_fields=["consent_withdrawn_date", "consent_withdrawn_reason"])
    if sample.profile is not None and not sample.profile.withdrawn:
        dna_profile_withdraw(
            actor=actor,
            profile=sample.profile,
            reason=_("Donor withdrew consent: %(reason)s") % {"reason": reason},
        )
    audit_record(
        actor=actor,
        action="missing.reference.withdraw",
        obj=sample.member.person,
        after={"sample_id": sample.sample_id, "reason": reason},
        organisation_id=sample.organisation_id,
    )
    return sample


@transaction.atomic
def family_import_case(
    *,
    actor: User | None,
    person: MissingPerson,
    family: CaseFamily,
    consent_date: dt.date | None = None,
    source_sha256: str = "",
    missing_id: str = "",
    audit: bool = True,
) -> list[PedigreeMember]:
    """Put a dvi-examples family (pedigree + typed members) on a report.

    The family's missing member becomes the report's missing person; the
    others are added as members, typed ones with a reference sample.
    """
    missing_ids = family.missing or [i for i in family.ids if i.endswith("-MP")]
    if missing_id:
        missing_ids = [missing_id] if missing_id in family.ids else []
    if len(missing_ids) != 1:
        raise ValidationError(
            _(
                "Family %(family)s: say which member is this report's missing person "
                "(the file names %(n)d)."
            )
            % {"family": family.name, "n": len(missing_ids)}
        )
    if person.pedigree.filter(is_missing=False).exists():
        raise ValidationError(_("This report already has relatives on its pedigree."))
    validate_pedigree(
        list(zip(family.ids, family.fid, family.mid, family.sex, strict=True)),
        name=family.name,
    )
    mp = person.pedigree.get(is_missing=True)
    by_id: dict[str, PedigreeMember] = {}
    for ident, sex in zip(family.ids, family.sex, strict=True):
        if ident == missing_ids[0]:
            mp.member_id = ident
            if sex:
                mp.sex = sex
            mp.save(update_fields=["member_id", "sex"])
            by_id[ident] = mp
        else:
            by_id[ident] = PedigreeMember.objects.create(
                person=person,
                member_id=ident,
                sex=sex,
                relationship=_relationship(ident, family, missing_ids[0]),
            )
    for ident, fa, mo in zip(family.ids, family.fid, family.mid, strict=True):
        m = by_id[ident]
        m.father = by_id[fa] if fa else None
        m.mother = by_id[mo] if mo else None
        m.save(update_fields=["father", "mother"])
    for ident in family.typed:
        reference_sample_create(
            actor=actor,
            member=by_id[ident],
            sample_id=f"{person.case_no}-{ident}",
            genotypes=family.genotypes.get(ident) or {},
            ystr=family.ystr.get(ident),
            mtdna=family.mtdna.get(ident),
            consent_scope=["dna", "identification"],
            consent_date=consent_date,
            source_format="dvi-json",
            source_sha256=source_sha256,
            audit=audit,
        )
    if audit:
        audit_record(
            actor=actor,
            action="missing.pedigree.import",
            obj=person,
            after={
                "family": family.name,
                "members": len(family.ids),
                "typed": len(family.genotypes),
            },
            organisation_id=person.organisation_id,
        )
    return list(by_id.values())


def _relationship(ident: str, family: CaseFamily, missing: str) -> str:
    """Relationship of a member to the missing person, from the pedigree."""
    pos = {i: k for k, i in enumerate(family.ids)}
    k, m = pos[ident], pos[missing]
    fa, mo = family.fid, family.mid
    if ident in (fa[m], mo[m]):
        return "father" if ident == fa[m] else "mother"
    if missing in (fa[k], mo[k]):
        return "child"
    same_f = fa[k] is not None and fa[k] == fa[m]
    same_m = mo[k] is not None and mo[k] == mo[m]
    if same_f and same_m:
        return "full_sibling"
    if same_f:
        return "half_sibling_paternal"
    if same_m:
        return "half_sibling_maternal"
    parents = {p for p in (fa[m], mo[m]) if p}
    grandparents = {g for p in parents for g in (fa[pos[p]], mo[pos[p]]) if g}
    if ident in grandparents:
        return "grandparent"
    if fa[k] in grandparents or mo[k] in grandparents:
        return "uncle_aunt"
    children = {
        family.ids[j] for j in range(len(family.ids)) if missing in (fa[j], mo[j])
    }
    if any(ident in (fa[pos[c]], mo[pos[c]]) for c in children):
        return "spouse"
    return ""


# --- Public family search: contact requests -----------------------------------


@transaction.atomic
def contact_request_create(
    *,
    searched_name: str,
    searched_birth: str,
    requester_name: str,
    requester_contact: str,
    message: str = "",
    person: MissingPerson | None = None,
) -> ContactRequest:
    request = ContactRequest(
        organisation_id=person.organisation_id if person else None,
        person=person,
        searched_name=searched_name[:300],
        searched_birth=searched_birth[:10],
        requester_name=requester_name,
        requester_contact=requester_contact,
        message=message,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=None,
        action="missing.contact_request",
        obj=request,
        object_repr=f"contact request #{request.pk}",
        organisation_id=request.organisation_id,
    )
    return request


@transaction.atomic
def contact_request_handle(*, actor: User, request: ContactRequest) -> ContactRequest:
    request = ContactRequest.objects.select_for_update().get(pk=request.pk)
    request.handled = True
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.save(update_fields=["handled", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action="missing.contact_request.handle",
        obj=request,
        object_repr=f"contact request #{request.pk}",
        organisation_id=actor.organisation_id,
    )
    return request


# --- Ante-mortem photos ----------------------------------------------------------

# Images only, and only those Pillow can check for decompression bombs (HEIC is
# refused: its pixels are not readable here, so its dimensions cannot be checked).
PHOTO_TYPES = frozenset({"jpeg", "png", "tiff"})


def photo_stage(chunks: Any, *, name: str) -> Any:
    """Stream an upload into the evidence store's temporary folder.

    Reuses :func:`imena.evidence.storage.stage` (hashing, size limit,
    magic-byte and extension allow-list, Pillow header check refusing
    decompression bombs); refuses anything that is not a JPEG, PNG or TIFF image.
    """

    staged = storage.stage(chunks, name=name, max_bytes=settings.IMENA_MAX_PHOTO_BYTES)
    if staged.type.name not in PHOTO_TYPES:
        staged.discard()
        raise storage.EvidenceFileError(
            _("%(name)s is not a JPEG, PNG or TIFF photo; nothing was stored.")
            % {"name": name}
        )
    return staged


@transaction.atomic
def missing_photo_create(
    *,
    actor: User,
    person: MissingPerson,
    staged: Any,
    kind: str,
    taken_on: dt.date | None = None,
    consent_use: bool = False,
    description: str = "",
) -> MissingPhoto:
    """Attach a staged photo to a report; the file is committed to the store last.

    The staged file is discarded on any refusal, so nothing is stored half-way.
    """

    try:
        if taken_on is not None and taken_on > timezone.localdate():
            raise ValidationError({"taken_on": _("The date taken is in the future.")})
        if MissingPhoto.objects.filter(
            person=person, sha256=staged.sha256, withdrawn=False
        ).exists():
            raise ValidationError(
                {
                    "file": _("%(name)s is already attached to this report.")
                    % {"name": staged.original_name}
                }
            )
        photo = MissingPhoto(
            person=person,
            kind=kind,
            taken_on=taken_on,
            consent_use=consent_use,
            description=description,
            sha256=staged.sha256,
            size=staged.size,
            original_name=staged.original_name[:255],
            media_type=staged.type.media_type,
            width=staged.metadata.get("width"),
            height=staged.metadata.get("height"),
            created_by=actor,
        )
        photo.full_clean()
        photo.save()
        audit_record(
            actor=actor,
            action="missing.photo.add",
            obj=person,
            after={
                "photo_id": photo.pk,
                **snapshot(
                    photo,
                    [
                        "kind",
                        "taken_on",
                        "consent_use",
                        "sha256",
                        "size",
                        "original_name",
                        "media_type",
                    ],
                ),
            },
            organisation_id=person.organisation_id,
        )
        storage.commit(staged)
    except BaseException:
        staged.discard()
        raise
    return photo


@transaction.atomic
def missing_photo_withdraw(
    *, actor: User, photo: MissingPhoto, reason: str
) -> MissingPhoto:
    """Withdraw a photo added in error (or whose use the family withdrew); kept."""
    photo, _changed = withdraw(
        photo,
        actor=actor,
        reason=reason,
        action="missing.photo.withdraw",
        organisation_id=photo.person.organisation_id,
        about=photo.person,
        key={"photo_id": photo.pk},
    )
    return photo


# --- PFIF export record -------------------------------------------------------------


@transaction.atomic
def pfif_export_record(
    *,
    actor: User | None,
    organisation: Organisation,
    document: bytes,
    filename: str,
    rows: int,
    via: str,
    os_user: str = "",
) -> Any:
    """Record who exported the PFIF file, and the SHA-256 of what they got."""
    after: dict[str, Any] = {
        "dataset": "missing",
        "format": "pfif",
        "filename": filename,
        "sha256": hashlib.sha256(document).hexdigest(),
        "bytes": len(document),
        "rows": rows,
        "via": via,
    }
    if os_user:
        after["os_user"] = os_user
    return audit_record(
        actor=actor,
        action="missing.pfif_export",
        object_type="missing.pfif",
        object_repr=filename,
        after=after,
        organisation_id=organisation.pk,
    )

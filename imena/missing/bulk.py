"""Bulk writes for the national register: many reports and families at once.

Each row gets the checks of ``missing_person_create`` in Python first (the
vocabulary of every repeating section, identity, dates, field lengths and
choices, and the model's check constraints), without ``full_clean``'s query per
constraint. Only when every row is sound are they stored, with ``bulk_create``
in batches inside one transaction: all or nothing. A bad row raises
:class:`BulkRowError`, which names the row, and nothing is stored. Each batch
appends one audit entry (``audit_batch``) with the SHA-256 of every record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_batch
from imena.core.hooks import app_hooks
from imena.dna.bulk import ProfileRow, dna_profiles_bulk_create
from imena.dna.models import ProfileKind
from imena.lib.bulk import BulkRowError, Progress, error_text, update_rows
from imena.missing.models import (
    MissingPerson,
    NameKey,
    PedigreeMember,
    ReferenceSample,
)
from imena.missing.services import (
    REPORT_FIELDS,
    SECTION_FIELDS,
    _check_dates,
    _check_identity,
    _derive_names,
    _relationship,
    births_compatible,
    clean_item,
    name_keys,
    validate_pedigree,
)

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.dna.uploads import CaseFamily

#: Rows stored per INSERT batch, and per audit entry.
BATCH_SIZE = 1000
#: Foreign keys: ``clean_fields`` would query each one.
_FK_FIELDS = ["organisation", "created_by", "merged_into"]


@dataclass
class ReportRow:
    """One report to store: where it comes from (``row``, e.g. "row 17") and
    its model fields (``REPORT_FIELDS`` plus ``status``)."""

    row: str
    fields: dict[str, Any]
    case_no: str = ""


@dataclass
class BulkReports:
    persons: list[MissingPerson]
    #: Possible duplicates (new report, other report), from record linkage.
    duplicates: list[tuple[MissingPerson, MissingPerson]] = field(default_factory=list)
    audit_entries: int = 0


def _check_constraints(person: MissingPerson) -> None:
    """The model's check constraints that ``clean_fields`` does not cover."""
    errors: dict[str, str] = {}
    if person.birth_month is not None and not 1 <= person.birth_month <= 12:
        errors["birth_month"] = _("The month must be between 1 and 12.")
    if person.birth_day is not None and (
        person.birth_month is None or not 1 <= person.birth_day <= 31
    ):
        errors["birth_day"] = _("A day of birth needs a month (1-31).")
    if (
        person.age_min is not None
        and person.age_max is not None
        and person.age_min > person.age_max
    ):
        errors["age_max"] = _("The highest age is below the lowest.")
    if person.stature_cm is not None and not 40 <= person.stature_cm <= 250:
        errors["stature_cm"] = _("Stature must be between 40 and 250 cm.")
    if errors:
        raise ValidationError(errors)


def prepare_report(
    *,
    actor: User | None,
    organisation: Organisation,
    fields: dict[str, Any],
    case_no: str = "",
) -> MissingPerson:
    """An unsaved, checked report (``ValidationError`` when it is not sound)."""
    unknown = set(fields) - set(REPORT_FIELDS) - {"status"}
    if unknown:
        raise ValidationError(
            _("unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    person = MissingPerson(organisation=organisation, created_by=actor, **fields)
    person.case_no = case_no
    for section in SECTION_FIELDS:
        rows = getattr(person, section) or []
        setattr(person, section, [clean_item(section, r) for r in rows])
    _check_identity(person)
    _derive_names(person)
    _check_constraints(person)
    _check_dates(person)
    person.clean_fields(exclude=[*_FK_FIELDS, "case_no"] if not case_no else _FK_FIELDS)
    return person


def _case_numbers(
    organisation: Organisation, people: list[tuple[str, MissingPerson]]
) -> None:
    """Refuse case numbers already used; number the reports that have none."""
    given = [p.case_no for _row, p in people if p.case_no]
    used: set[str] = set()
    for start in range(0, len(given), 5000):
        used.update(
            MissingPerson.objects.filter(
                organisation=organisation, case_no__in=given[start : start + 5000]
            ).values_list("case_no", flat=True)
        )
    seen: set[str] = set()
    for row, person in people:
        if not person.case_no:
            continue
        if person.case_no in used:
            raise BulkRowError(
                row,
                _("case number %(case_no)s is already in use.")
                % {"case_no": person.case_no},
            )
        if person.case_no in seen:
            raise BulkRowError(
                row,
                _("case number %(case_no)s appears twice.")
                % {"case_no": person.case_no},
            )
        seen.add(person.case_no)
    if all(p.case_no for _row, p in people):
        return
    n = MissingPerson.objects.filter(organisation=organisation).count()
    taken = set(
        MissingPerson.objects.filter(
            organisation=organisation, case_no__startswith="AM-"
        ).values_list("case_no", flat=True)
    )
    taken |= seen
    for _row, person in people:
        if person.case_no:
            continue
        while True:
            n += 1
            candidate = f"AM-{n:05d}"
            if candidate not in taken:
                break
        person.case_no = candidate
        taken.add(candidate)


def _saved(model: Any, objs: list[Any], **lookup: Any) -> list[Any]:
    """The objects of a bulk insert with their primary keys (fetched back when
    the database returned none)."""
    if not objs or objs[0].pk is not None:
        return objs
    raise RuntimeError(f"{model.__name__}: the database returned no primary keys")


@transaction.atomic
def missing_persons_bulk_create(
    *,
    actor: User | None,
    organisation: Organisation,
    rows: Iterable[ReportRow],
    source: str = "",
    action: str = "missing.bulk_create",
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    propose_duplicates: bool = True,
) -> BulkReports:
    """Store many reports, all or nothing; each batch audited with its hashes.

    With ``propose_duplicates`` the result lists the pairs that record linkage
    (``duplicate_candidates``' rule: a surname key and a given-name key in
    common and compatible birth dates) proposes as the same person, among the
    new reports and against the organisation's live reports.
    """
    people: list[tuple[str, MissingPerson]] = []
    for r in rows:
        try:
            person = prepare_report(
                actor=actor,
                organisation=organisation,
                fields=r.fields,
                case_no=r.case_no,
            )
        except ValidationError as e:
            raise BulkRowError(r.row, error_text(e)) from None
        people.append((r.row, person))
    _case_numbers(organisation, people)
    total = len(people)
    result = BulkReports(persons=[])
    done = 0
    for start in range(0, total, batch_size):
        batch = [p for _row, p in people[start : start + batch_size]]
        stored = _saved(MissingPerson, MissingPerson.objects.bulk_create(batch))
        keys = [
            NameKey(person=p, part=part, key=key)
            for p in stored
            for part, key in sorted(name_keys(p))
        ]
        NameKey.objects.bulk_create(keys, batch_size=5000)
        PedigreeMember.objects.bulk_create(
            [
                PedigreeMember(
                    person=p,
                    member_id="MP",
                    name=p.full_name,
                    sex={"male": 1, "female": 2}.get(p.sex, 0),
                    is_missing=True,
                )
                for p in stored
            ]
        )
        audit_batch(
            actor=actor,
            action=action,
            records=stored,
            source=source,
            extra={
                "rows": f"{people[start][0]} – {people[start + len(stored) - 1][0]}"
            },
            organisation_id=organisation.pk,
        )
        result.audit_entries += 1
        result.persons.extend(stored)
        done += len(stored)
        if progress:
            progress(done, total)
    _changed(organisation, [p.pk for p in result.persons], "reports imported")
    if propose_duplicates:
        result.duplicates = propose_duplicate_pairs(organisation, result.persons)
    return result


def _changed(organisation: Organisation, person_ids: list[int], reason: str) -> None:
    """Tell the apps that compute from reports (``bulk_create`` sends no
    ``post_save``): identification records what it must update."""
    if not person_ids:
        return
    for hook in app_hooks("changes", "records_changed"):
        hook(
            organisation_id=organisation.pk,
            persons=person_ids,
            reason=f"{len(person_ids)} {reason}",
        )


def propose_duplicate_pairs(
    organisation: Organisation, new: Sequence[MissingPerson]
) -> list[tuple[MissingPerson, MissingPerson]]:
    """Pairs (new report, other report) that may be the same person.

    The rule of ``duplicate_candidates`` (one surname key and one given-name
    key in common, birth dates compatible), in memory for a whole import.
    """
    new_ids = {p.pk for p in new}
    keys: dict[int, tuple[set[str], set[str]]] = {}
    for p in new:
        mine = name_keys(p)
        keys[p.pk] = (
            {k for part, k in mine if part == "f"},
            {k for part, k in mine if part == "g"},
        )
    others = MissingPerson.objects.filter(
        organisation=organisation, merged_into__isnull=True
    ).exclude(pk__in=new_ids)
    other_people: dict[int, MissingPerson] = {}
    if others.exists():
        other_people = {p.pk: p for p in others}
        for pk, part, key in NameKey.objects.filter(
            person_id__in=list(other_people), part__in=("f", "g")
        ).values_list("person_id", "part", "key"):
            fam, giv = keys.setdefault(pk, (set(), set()))
            (fam if part == "f" else giv).add(key)
    people = {p.pk: p for p in new} | other_people
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, (fam, giv) in keys.items():
        for f in fam:
            for g in giv:
                buckets[(f, g)].append(pk)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a in new_ids or b in new_ids:
                    pairs.add((a, b) if a < b else (b, a))
    out = []
    for a, b in sorted(pairs):
        pa, pb = people[a], people[b]
        if births_compatible(pa, pb):
            first, second = (pa, pb) if a in new_ids else (pb, pa)
            out.append((first, second))
    return out


# --- Reference families ---------------------------------------------------------


@dataclass
class FamilyRow:
    """One reference family for one stored report."""

    row: str
    person: MissingPerson
    family: CaseFamily
    consent_date: dt.date | None = None


@dataclass
class BulkFamilies:
    families: int = 0
    members: int = 0
    samples: int = 0
    profiles: int = 0
    audit_entries: int = 0


def _check_family(item: FamilyRow, today: dt.date) -> str:
    """The member id of the family's missing person; ``ValidationError`` if unsound."""
    family = item.family
    missing_ids = family.missing or [i for i in family.ids if i.endswith("-MP")]
    if len(missing_ids) != 1:
        raise ValidationError(
            _(
                "Family %(family)s: say which member is this report's missing person "
                "(the file names %(n)d)."
            )
            % {"family": family.name, "n": len(missing_ids)}
        )
    validate_pedigree(
        list(zip(family.ids, family.fid, family.mid, family.sex, strict=True)),
        name=family.name,
    )
    if item.consent_date and item.consent_date > today:
        raise ValidationError({"consent_date": _("This date is in the future.")})
    if missing_ids[0] in family.genotypes and family.genotypes[missing_ids[0]]:
        raise ValidationError(
            {"member": _("A sample of the missing person is a direct reference.")}
        )
    return missing_ids[0]


@transaction.atomic
def families_bulk_import(
    *,
    actor: User | None,
    organisation: Organisation,
    items: Sequence[FamilyRow],
    source_format: str = "dvi-json",
    source_sha256: str = "",
    source: str = "",
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> BulkFamilies:
    """Put reference families (pedigree and typed relatives) on stored reports,
    as ``family_import_case`` does one at a time; all or nothing.

    Typed relatives get a reference sample ``<case no>-<member id>`` with
    consent to DNA and identification, and a reference profile.
    """
    today = timezone.localdate()
    missing_of: list[str] = []
    profile_rows: list[ProfileRow] = []
    for item in items:
        try:
            missing_of.append(_check_family(item, today))
        except ValidationError as e:
            raise BulkRowError(item.row, error_text(e)) from None
    sample_ids = [
        f"{item.person.case_no}-{ident}"
        for item in items
        for ident, g in item.family.genotypes.items()
        if g
    ]
    taken: set[str] = set()
    for start in range(0, len(sample_ids), 5000):
        taken.update(
            ReferenceSample.objects.filter(
                organisation=organisation,
                sample_id__in=sample_ids[start : start + 5000],
            ).values_list("sample_id", flat=True)
        )
    if taken or len(set(sample_ids)) != len(sample_ids):
        first = sorted(taken)[0] if taken else sample_ids[0]
        raise ValidationError(
            _("Sample id %(sample)s is already in use; nothing was stored.")
            % {"sample": first}
        )
    result = BulkFamilies()
    total = len(items)
    for start in range(0, total, batch_size):
        chunk = items[start : start + batch_size]
        chunk_missing = missing_of[start : start + batch_size]
        person_ids = [item.person.pk for item in chunk]
        mps = {
            m.person_id: m
            for m in PedigreeMember.objects.filter(
                person_id__in=person_ids, is_missing=True
            )
        }
        with_relatives = set(
            PedigreeMember.objects.filter(
                person_id__in=person_ids, is_missing=False
            ).values_list("person_id", flat=True)
        )
        if with_relatives:
            bad = next(i for i in chunk if i.person.pk in with_relatives)
            raise BulkRowError(
                bad.row, _("This report already has relatives on its pedigree.")
            )
        new_members: list[PedigreeMember] = []
        by_id: list[dict[str, PedigreeMember]] = []
        for item, missing in zip(chunk, chunk_missing, strict=True):
            family = item.family
            members: dict[str, PedigreeMember] = {}
            mp = mps[item.person.pk]
            for ident, sex in zip(family.ids, family.sex, strict=True):
                if ident == missing:
                    mp.member_id = ident
                    if sex:
                        mp.sex = sex
                    members[ident] = mp
                else:
                    m = PedigreeMember(
                        person=item.person,
                        member_id=ident,
                        sex=sex,
                        relationship=_relationship(ident, family, missing),
                    )
                    members[ident] = m
                    new_members.append(m)
            by_id.append(members)
        update_rows(list(mps.values()), ["member_id", "sex"])
        _saved(PedigreeMember, PedigreeMember.objects.bulk_create(new_members))
        linked: list[PedigreeMember] = []
        for item, members in zip(chunk, by_id, strict=True):
            family = item.family
            for ident, fa, mo in zip(family.ids, family.fid, family.mid, strict=True):
                if fa or mo:
                    m = members[ident]
                    m.father = members[fa] if fa else None
                    m.mother = members[mo] if mo else None
                    linked.append(m)
        update_rows(linked, ["father", "mother"])
        profile_rows = []
        sample_members: list[tuple[PedigreeMember, str, dt.date | None]] = []
        for item, members in zip(chunk, by_id, strict=True):
            for ident in item.family.typed:
                sample_id = f"{item.person.case_no}-{ident}"
                profile_rows.append(
                    ProfileRow(
                        row=f"{item.row}, {ident}",
                        label=sample_id,
                        genotypes=item.family.genotypes.get(ident) or {},
                        sex=members[ident].sex,
                        ystr=item.family.ystr.get(ident) or {},
                        mtdna=item.family.mtdna.get(ident) or {},
                    )
                )
                sample_members.append((members[ident], sample_id, item.consent_date))
        profiles = dna_profiles_bulk_create(
            actor=actor,
            organisation=organisation,
            kind=ProfileKind.REFERENCE,
            rows=profile_rows,
            source_format=source_format,
            source_sha256=source_sha256,
            source=source,
        )
        samples = [
            ReferenceSample(
                member=member,
                sample_id=sample_id,
                organisation=organisation,
                reference_kind="kinship",
                profile=profile,
                consent_scope=["dna", "identification"],
                consent_date=consent,
                created_by=actor,
            )
            for (member, sample_id, consent), profile in zip(
                sample_members, profiles.profiles, strict=True
            )
        ]
        samples = _saved(ReferenceSample, ReferenceSample.objects.bulk_create(samples))
        all_members = [m for members in by_id for m in members.values()]
        for records, action in (
            (all_members, "missing.pedigree.bulk_import"),
            (samples, "missing.reference.bulk_create"),
        ):
            if records:
                audit_batch(
                    actor=actor,
                    action=action,
                    records=records,
                    source=source,
                    extra={"sha256": source_sha256},
                    organisation_id=organisation.pk,
                )
                result.audit_entries += 1
        result.audit_entries += profiles.audit_entries
        result.families += len(chunk)
        result.members += len(all_members)
        result.samples += len(samples)
        result.profiles += len(profiles.profiles)
        if progress:
            progress(start + len(chunk), total)
    # Recorded last, just before the import commits (``screening_tables``).
    _changed(organisation, [i.person.pk for i in items], "families imported")
    return result

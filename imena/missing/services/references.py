"""Pedigrees and reference samples (with consent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.dna.models import ProfileKind
from imena.dna.services import dna_profile_create, dna_profile_withdraw
from imena.missing.models import (
    MissingPerson,
    PedigreeMember,
    ReferenceSample,
)
from imena.missing.vocab import codes
from kinship.case import Pedigree
from kinship.errors import KinshipError

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.dna.uploads import CaseFamily


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

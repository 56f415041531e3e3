"""Writes to DNA profiles, audited. Parsing of files is done by ``kinship``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.dna.models import DNAProfile, ProfileKind

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User


def clean_genotypes(
    genotypes: Mapping[str, Sequence[str]], label: str
) -> dict[str, list[str]]:
    """Check a profile's shape: at most two alleles a locus, alleles as strings."""
    out: dict[str, list[str]] = {}
    for locus, alleles in genotypes.items():
        values = [str(a).strip() for a in alleles if a is not None and str(a).strip()]
        if len(values) > 2:
            raise ValidationError(
                _(
                    "Sample %(label)s, locus %(locus)s: %(n)d alleles; at most two allowed."
                )
                % {"label": label, "locus": locus, "n": len(values)}
            )
        if not values:
            continue
        if len(values) == 1:
            values = values * 2  # a single called allele is read as homozygous
        out[str(locus)] = sorted(values, key=_allele_key)
    return out


def _allele_key(allele: str) -> tuple[float, str]:
    try:
        return (float(allele), allele)
    except ValueError:
        return (float("inf"), allele)


@transaction.atomic
def dna_profile_create(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    label: str,
    genotypes: Mapping[str, Sequence[str]],
    sex: int = 0,
    source_format: str = "",
    source_sha256: str = "",
    lab: str = "",
    supersedes: DNAProfile | None = None,
    audit: bool = True,
) -> DNAProfile:
    if kind not in ProfileKind.values:
        raise ValidationError({"kind": _("Unknown profile kind.")})
    clean = clean_genotypes(genotypes, label)
    profile = DNAProfile(
        organisation=organisation,
        kind=kind,
        label=label,
        sex=sex,
        genotypes=clean,
        loci_typed=len(clean),
        source_format=source_format,
        source_sha256=source_sha256,
        lab=lab,
        supersedes=supersedes,
        created_by=actor,
    )
    profile.full_clean()
    profile.save()
    if audit:
        # The genotypes themselves stay out of the audit log (it is readable by
        # investigators); their hash ties the entry to the stored values.
        import hashlib

        from imena.audit.models import canonical_json

        digest = hashlib.sha256(canonical_json(clean).encode()).hexdigest()
        audit_record(
            actor=actor,
            action="dna.profile.create",
            obj=profile,
            after={
                "label": label,
                "kind": kind,
                "loci": len(clean),
                "genotypes_sha256": digest,
                "supersedes": supersedes.pk if supersedes else None,
            },
            organisation_id=organisation.pk,
        )
    return profile


@transaction.atomic
def dna_profile_withdraw(
    *, actor: User, profile: DNAProfile, reason: str
) -> DNAProfile:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the profile is withdrawn.")})
    profile = DNAProfile.objects.select_for_update().get(pk=profile.pk)
    profile.withdrawn = True
    profile.withdrawn_reason = reason
    profile.save(update_fields=["withdrawn", "withdrawn_reason"])
    audit_record(
        actor=actor,
        action="dna.profile.withdraw",
        obj=profile,
        after={"reason": reason},
        organisation_id=profile.organisation_id,
    )
    return profile


@transaction.atomic
def dna_profiles_upload(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    profiles: Mapping[str, Mapping[str, Any]],
    source_format: str,
    source_sha256: str,
) -> list[DNAProfile]:
    """Store the profiles of one file and link each to its sample; all or nothing.

    ``profiles`` is ``{sample id: {"sex", "genotypes"}}``.  Post-mortem profiles
    go to exhumation samples (``Sample.sample_id``), reference profiles to family
    reference samples (``ReferenceSample.sample_id``) with active consent.  A
    sample that already has a current profile gets a new one that supersedes it.
    """
    if kind not in ProfileKind.values:
        raise ValidationError({"kind": _("Unknown profile kind.")})
    names = sorted(profiles)
    if kind == ProfileKind.POST_MORTEM:
        from imena.exhumations.models import Sample

        found: dict[str, Any] = {
            s.sample_id: s
            for s in Sample.objects.select_for_update().filter(
                organisation=organisation, sample_id__in=names
            )
        }
    else:
        from imena.missing.models import ReferenceSample

        found = {
            s.sample_id: s
            for s in ReferenceSample.objects.select_for_update()
            .select_related("member")
            .filter(organisation=organisation, sample_id__in=names)
        }
    unknown = [n for n in names if n not in found]
    if unknown:
        raise ValidationError(
            _("No %(kind)s sample with the id %(ids)s; nothing was stored.")
            % {
                "kind": ProfileKind(kind).label,
                "ids": ", ".join(unknown[:20]),
            }
        )
    created = []
    for name in names:
        entry = profiles[name]
        sample = found[name]
        if not entry.get("genotypes"):
            raise ValidationError(
                _(
                    "Sample %(sample)s has no genotypes at known loci; nothing was stored."
                )
                % {"sample": name}
            )
        if kind == ProfileKind.REFERENCE and not sample.consent_active:
            raise ValidationError(
                _(
                    "Sample %(sample)s: the donor's consent is not active; "
                    "nothing was stored."
                )
                % {"sample": name}
            )
        previous = sample.profile
        sex = int(entry.get("sex") or 0)
        if kind == ProfileKind.REFERENCE and not sex:
            sex = sample.member.sex
        profile = dna_profile_create(
            actor=actor,
            organisation=organisation,
            kind=kind,
            label=name,
            genotypes=entry["genotypes"],
            sex=sex,
            source_format=source_format,
            source_sha256=source_sha256,
            lab=getattr(sample, "lab", ""),
            supersedes=previous if previous and previous.is_current else None,
        )
        sample.profile = profile
        fields = ["profile"]
        if kind == ProfileKind.POST_MORTEM:
            from imena.exhumations.models import SampleStatus

            sample.status = SampleStatus.PROFILE
            fields.append("status")
        sample.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="dna.profile.attach",
            obj=sample,
            before={"profile_id": previous.pk if previous else None},
            after={"profile_id": profile.pk, "loci": profile.loci_typed},
            organisation_id=organisation.pk,
        )
        created.append(profile)
    return created

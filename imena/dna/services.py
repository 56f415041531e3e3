"""Writes to DNA profiles, audited. Parsing of files is done by ``kinship``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.models import canonical_json
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

"""Writes to DNA profiles, audited. Parsing of files is done by ``kinship``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.dna.models import (
    DNAProfile,
    ProfileKind,
    ScreeningCandidate,
    ScreeningRun,
    ScreeningStatus,
)
from kinship import KinshipError

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.burials.models import Site


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
def screening_run(
    *,
    actor: User | None,
    site: Site,
    threshold: float = 1e4,
    top_k: int = 5,
    dropout: float = 0.0,
    theta: float = 0.0,
    mutation: str = "none",
    mutation_rate: float = 0.0,
) -> ScreeningRun:
    """Screen a site's post-mortem profiles against the open families; keep candidates.

    Stores the run and its candidates (pairs with LR >= threshold and each
    body's top-k); audits parameters and counts, never genotypes.
    """
    from imena.dna.screening import MUTATION_CHOICES, build_case_for_site, run_screening

    errors: dict[str, str] = {}
    if not threshold > 0:
        errors["threshold"] = _("The threshold must be positive.")
    if not 1 <= top_k <= 50:
        errors["top_k"] = _("Keep between 1 and 50 candidates per body.")
    if not 0 <= dropout < 1:
        errors["dropout"] = _("The drop-out probability must be in [0, 1).")
    if not 0 <= theta < 1:
        errors["theta"] = _("Theta must be in [0, 1).")
    if mutation not in MUTATION_CHOICES:
        errors["mutation"] = _("Unknown mutation model.")
    if not 0 <= mutation_rate < 1:
        errors["mutation_rate"] = _("The mutation rate must be in [0, 1).")
    if errors:
        raise ValidationError(errors)
    if mutation == "none":
        mutation_rate = 0.0
    data = build_case_for_site(site, mutation=mutation, mutation_rate=mutation_rate)
    if not data["pm"]:
        raise ValidationError(
            _("No post-mortem profiles yet for the bodies of %(site)s.")
            % {"site": site.name}
        )
    if not data["am"]:
        raise ValidationError(
            _("No reference families with DNA profiles yet for open missing persons.")
        )
    try:
        outcome = run_screening(
            data, threshold=threshold, top_k=top_k, dropout=dropout, theta=theta
        )
    except KinshipError as e:
        raise ValidationError(
            _("The screening could not run: %(error)s") % {"error": str(e)}
        ) from None
    run = ScreeningRun.objects.create(
        organisation_id=site.organisation_id,
        site=site,
        started_by=actor,
        threshold=threshold,
        top_k=top_k,
        dropout=dropout,
        theta=theta,
        mutation=mutation,
        mutation_rate=mutation_rate,
        bodies=outcome.bodies,
        families=outcome.families,
        missing_persons=outcome.missing_persons,
        pairs=outcome.pairs,
        candidates=len(outcome.kept),
        above_threshold=outcome.above_threshold,
        seconds=round(outcome.seconds, 3),
        status=ScreeningStatus.DONE,
        warnings=outcome.warnings[:200],
    )
    ScreeningCandidate.objects.bulk_create(
        [
            ScreeningCandidate(
                run=run,
                body_id=k.body_id,
                pm_label=k.pm_label,
                person_id=k.person_id,
                rank=k.rank,
                lr=min(k.lr, 1e300),
                log10_lr=k.log10_lr,
                inconsistent=k.inconsistent,
                per_marker=k.per_marker,
            )
            for k in outcome.kept
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="dna.screening.run",
        obj=run,
        after={
            "site": site.pk,
            "parameters": run.parameters,
            "bodies": run.bodies,
            "families": run.families,
            "missing_persons": run.missing_persons,
            "pairs": run.pairs,
            "candidates": run.candidates,
            "above_threshold": run.above_threshold,
            "seconds": run.seconds,
        },
        organisation_id=site.organisation_id,
    )
    return run


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

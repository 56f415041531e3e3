"""Writes to DNA profiles, audited. Parsing of files is done by ``kinship``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.models import canonical_json
from imena.audit.services import audit_record
from imena.dna.models import DNAProfile, LineageKind, LineageTable, ProfileKind
from imena.lib.withdrawal import withdraw
from kinship.errors import KinshipError
from kinship.lineage import format_haplotype, format_mt, parse_haplotype, parse_mt

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


def clean_lineage(
    ystr: Mapping[str, Any] | None, mtdna: Mapping[str, Any] | None, label: str
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Normalise a Y-STR haplotype and an mtDNA sequence (``kinship.lineage``).

    Two spellings of one haplotype or sequence give the same stored value.
    """
    try:
        y = format_haplotype(parse_haplotype(ystr or {}))
        mt = (
            format_mt(parse_mt(str(mtdna.get("variants") or ""), str(mtdna["range"])))
            if mtdna
            else {}
        )
    except (KinshipError, KeyError, AttributeError) as e:
        raise ValidationError(
            _("Sample %(label)s: lineage markers not understood (%(error)s).")
            % {"label": label, "error": e}
        ) from None
    return y, mt


def merged_with(
    previous: DNAProfile | None, entry: Mapping[str, Any]
) -> dict[str, Any]:
    """The parts of an uploaded profile, completed from the profile it supersedes.

    A file may hold only some of a sample's markers (a Y-STR export after the
    autosomal one): the parts it lacks (``genotypes``, ``ystr``, ``mtdna``,
    an unknown sex) are kept from the current profile.
    """
    out = {
        "sex": int(entry.get("sex") or 0),
        "genotypes": entry.get("genotypes") or {},
        "ystr": entry.get("ystr") or {},
        "mtdna": entry.get("mtdna") or {},
    }
    if previous is not None and previous.is_current:
        for part in ("genotypes", "ystr", "mtdna"):
            out[part] = out[part] or getattr(previous, part)
        out["sex"] = out["sex"] or previous.sex
    return out


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
    ystr: Mapping[str, Any] | None = None,
    mtdna: Mapping[str, Any] | None = None,
) -> DNAProfile:
    if kind not in ProfileKind.values:
        raise ValidationError({"kind": _("Unknown profile kind.")})
    clean = clean_genotypes(genotypes, label)
    y, mt = clean_lineage(ystr, mtdna, label)
    profile = DNAProfile(
        organisation=organisation,
        kind=kind,
        label=label,
        sex=sex,
        genotypes=clean,
        loci_typed=len(clean),
        ystr=y,
        mtdna=mt,
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
                **lineage_audit(y, mt),
            },
            organisation_id=organisation.pk,
        )
    return profile


def lineage_audit(ystr: Mapping[str, Any], mtdna: Mapping[str, Any]) -> dict[str, Any]:
    """Audit fields of lineage markers: their size and hash, not the values."""
    if not ystr and not mtdna:
        return {}
    digest = hashlib.sha256(
        canonical_json({"ystr": ystr, "mtdna": mtdna}).encode()
    ).hexdigest()
    return {"ystr_loci": len(ystr), "mtdna": bool(mtdna), "lineage_sha256": digest}


@transaction.atomic
def dna_profile_withdraw(
    *, actor: User | None, profile: DNAProfile, reason: str
) -> DNAProfile:
    profile, _changed = withdraw(
        profile,
        actor=actor,
        reason=reason,
        action="dna.profile.withdraw",
        organisation_id=profile.organisation_id,
    )
    return profile


@transaction.atomic
def lineage_table_load(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    name: str,
    rows: Sequence[Mapping[str, Any]],
    rates: Mapping[str, float] | None = None,
    source_sha256: str = "",
) -> LineageTable:
    """Store a population table of haplotypes (Y-STR) or sequences (mtDNA).

    Rows are normalised as profiles are; the newest table of a kind is the one
    lineage LRs use.
    """
    if kind not in LineageKind.values:
        raise ValidationError({"kind": _("Unknown lineage table kind.")})
    clean: list[Any] = []
    for k, row in enumerate(rows, start=1):
        where = _("row %(n)d") % {"n": k}
        if kind == LineageKind.YSTR:
            y, _mt = clean_lineage(row, None, where)
            if not y:
                raise ValidationError(_("Row %(n)d has no typed locus.") % {"n": k})
            clean.append(y)
        else:
            clean.append(clean_lineage(None, row, where)[1])
    if not clean:
        raise ValidationError(_("The table is empty."))
    rate_map = {str(k): float(v) for k, v in (rates or {}).items()}
    if any(not 0 <= v < 1 for v in rate_map.values()):
        raise ValidationError(_("A mutation rate must be between 0 and 1."))
    table = LineageTable(
        organisation=organisation,
        kind=kind,
        name=name,
        rows=clean,
        size=len(clean),
        rates=rate_map,
        source_sha256=source_sha256,
        created_by=actor,
    )
    table.full_clean()
    table.save()
    audit_record(
        actor=actor,
        action="dna.lineage_table.load",
        obj=table,
        after={
            "kind": kind,
            "name": name,
            "size": len(clean),
            "rates": rate_map,
            "sha256": source_sha256,
        },
        organisation_id=organisation.pk,
    )
    return table

"""Many DNA profiles at once (national load, profile file imports).

Every profile is checked first (``clean_genotypes``, field lengths); then
they are stored with ``bulk_create`` in batches, each batch audited with the
SHA-256 of every profile (``audit_batch``). Call inside the caller's
transaction: a bad row raises ``BulkRowError`` naming it, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_batch
from imena.core.hooks import app_hooks
from imena.dna.models import DNAProfile, ProfileKind
from imena.dna.services import clean_genotypes, clean_lineage
from imena.lib.bulk import BulkRowError, Progress, error_text

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User

BATCH_SIZE = 1000


@dataclass
class ProfileRow:
    row: str  # where it comes from, for the error message
    label: str  # the sample id
    genotypes: Mapping[str, Sequence[str]]
    sex: int = 0
    lab: str = ""
    supersedes: DNAProfile | None = None
    ystr: Mapping[str, Any] = field(default_factory=dict)
    mtdna: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class BulkProfiles:
    profiles: list[DNAProfile] = field(default_factory=list)
    audit_entries: int = 0


@transaction.atomic
def dna_profiles_bulk_create(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    rows: Sequence[ProfileRow],
    source_format: str = "",
    source_sha256: str = "",
    source: str = "",
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> BulkProfiles:
    """Store profiles (in the order of ``rows``); all or nothing."""
    if kind not in ProfileKind.values:
        raise ValidationError({"kind": _("Unknown profile kind.")})
    profiles: list[DNAProfile] = []
    for r in rows:
        try:
            clean = clean_genotypes(r.genotypes, r.label)
            ystr, mtdna = clean_lineage(r.ystr, r.mtdna, r.label)
            if not clean and not ystr and not mtdna:
                raise ValidationError(
                    _("Sample %(sample)s has no genotypes at known loci.")
                    % {"sample": r.label}
                )
            profile = DNAProfile(
                organisation=organisation,
                kind=kind,
                label=r.label,
                sex=r.sex,
                genotypes=clean,
                loci_typed=len(clean),
                ystr=ystr,
                mtdna=mtdna,
                source_format=source_format,
                source_sha256=source_sha256,
                lab=r.lab,
                supersedes=r.supersedes,
                created_by=actor,
            )
            profile.clean_fields(exclude=["organisation", "created_by", "supersedes"])
        except ValidationError as e:
            raise BulkRowError(r.row, error_text(e)) from None
        profiles.append(profile)
    result = BulkProfiles()
    for start in range(0, len(profiles), batch_size):
        batch = DNAProfile.objects.bulk_create(profiles[start : start + batch_size])
        audit_batch(
            actor=actor,
            action="dna.profile.bulk_create",
            records=batch,
            source=source,
            extra={"kind": kind, "sha256": source_sha256},
            organisation_id=organisation.pk,
        )
        result.audit_entries += 1
        result.profiles.extend(batch)
        if progress:
            progress(len(result.profiles), len(profiles))
    # ``bulk_create`` sends no ``post_save``: profiles replacing attached ones
    # (``supersedes``) change what identification computed.
    for hook in app_hooks("changes", "records_changed"):
        hook(
            organisation_id=organisation.pk,
            profiles=[p.supersedes_id for p in result.profiles if p.supersedes_id],
            reason=f"{len(result.profiles)} DNA profiles imported",
        )
    return result

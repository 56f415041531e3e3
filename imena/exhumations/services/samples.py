"""Samples taken from bodies and the DNA profiles they give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.dna.models import ProfileKind
from imena.dna.services import dna_profile_create, merged_with
from imena.exhumations.models import (
    Body,
    Sample,
    SampleStatus,
)
from imena.exhumations.vocab import is_valid_fdi
from imena.lib.corrections import apply_correction

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.dna.models import DNAProfile


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

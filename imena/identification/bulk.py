"""Many DNA profiles of a file linked to their samples at once (bulk uploads).

It sits here, above exhumations and missing, because it links profiles (the
dna app) to their post-mortem and reference samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_batch
from imena.dna.bulk import (
    BATCH_SIZE,
    BulkProfiles,
    ProfileRow,
    dna_profiles_bulk_create,
)
from imena.dna.models import ProfileKind
from imena.dna.services import merged_with
from imena.exhumations.models import Sample, SampleStatus
from imena.identification import changes
from imena.identification.services import screening_update
from imena.lib.bulk import BulkRowError, Progress, update_rows
from imena.missing.models import ReferenceSample

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User


@transaction.atomic
def dna_profiles_bulk_upload(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    profiles: Mapping[str, Mapping[str, Any]],
    source_format: str,
    source_sha256: str,
    source: str = "",
    progress: Progress | None = None,
) -> BulkProfiles:
    """``dna_profiles_upload`` for many profiles: link each profile of a file to
    its sample (post-mortem: ``Sample``; reference: ``ReferenceSample`` with
    active consent), all or nothing; a sample's current profile is superseded.
    The organisation's national screening, if any, is updated
    (``services.screening_update``)."""
    if kind not in ProfileKind.values:
        raise ValidationError({"kind": _("Unknown profile kind.")})
    names = list(profiles)
    found: dict[str, Any] = {}
    if kind == ProfileKind.POST_MORTEM:
        query: Any = Sample.objects.select_related("profile")
    else:
        query = ReferenceSample.objects.select_related("member", "profile")
    for start in range(0, len(names), 2000):
        found.update(
            (s.sample_id, s)
            for s in query.select_for_update(of=("self",)).filter(
                organisation=organisation, sample_id__in=names[start : start + 2000]
            )
        )
    rows: list[ProfileRow] = []
    for k, name in enumerate(names, start=1):
        where = _("profile %(n)d (%(sample)s)") % {"n": k, "sample": name}
        sample = found.get(name)
        if sample is None:
            raise BulkRowError(
                where,
                _("No %(kind)s sample with this id.")
                % {"kind": ProfileKind(kind).label},
            )
        if kind == ProfileKind.REFERENCE and not sample.consent_active:
            raise BulkRowError(where, _("The donor's consent is not active."))
        previous = sample.profile
        entry = merged_with(previous, profiles[name])
        sex = entry["sex"]
        if kind == ProfileKind.REFERENCE and not sex:
            sex = sample.member.sex
        rows.append(
            ProfileRow(
                row=where,
                label=name,
                genotypes=entry["genotypes"],
                sex=sex,
                lab=getattr(sample, "lab", ""),
                supersedes=previous if previous and previous.is_current else None,
                ystr=entry["ystr"],
                mtdna=entry["mtdna"],
            )
        )
    result = dna_profiles_bulk_create(
        actor=actor,
        organisation=organisation,
        kind=kind,
        rows=rows,
        source_format=source_format,
        source_sha256=source_sha256,
        source=source,
        progress=progress,
    )
    samples = []
    fields = ["profile"]
    for name, profile in zip(names, result.profiles, strict=True):
        sample = found[name]
        sample.profile = profile
        if kind == ProfileKind.POST_MORTEM:
            sample.status = SampleStatus.PROFILE
        samples.append(sample)
    if kind == ProfileKind.POST_MORTEM:
        fields.append("status")
    update_rows(samples, fields)
    # ``update_rows`` sends no ``post_save``: record what identification must update.
    changes.profiles_changed(
        [p.pk for p in result.profiles], f"{len(result.profiles)} DNA profiles imported"
    )
    for start in range(0, len(samples), BATCH_SIZE):
        audit_batch(
            actor=actor,
            action="dna.profile.bulk_attach",
            records=samples[start : start + BATCH_SIZE],
            source=source,
            extra={"sha256": source_sha256},
            organisation_id=organisation.pk,
        )
        result.audit_entries += 1
    screening_update(
        actor=actor, organisation_id=organisation.pk, profiles=result.profiles
    )
    return result

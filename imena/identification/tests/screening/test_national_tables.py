"""National screening updates read the families' tables a full run kept on disk
(``screening_tables``) and still store exactly what a full run stores."""

from __future__ import annotations

from typing import Any

import pytest

from imena.audit.models import AuditEntry
from imena.dna.models import ProfileKind
from imena.exhumations.models import Sample
from imena.identification import changes
from imena.identification.screening_tables import TableStore
from imena.identification.services import dna_profiles_upload, screening_run_national
from imena.identification.tests.screening.test_national import (
    PARAMS,
    _genotypes,
    _retype_pm,
    _rows,
    _same,
)
from imena.missing.models import ReferenceSample

pytestmark = pytest.mark.django_db


def _national(org: Any, analyst: Any, capture: Any, **params: Any) -> Any:
    # The tables are kept when the run's transaction commits.
    with capture(execute=True):
        return screening_run_national(actor=analyst, organisation=org, **params)


def _last_update() -> dict[str, Any]:
    return (
        AuditEntry.objects.filter(action="dna.screening.update")
        .latest("seq")
        .after_data
    )


@pytest.mark.parametrize("top_k", [1, 3])
def test_a_new_pm_profile_read_from_the_tables_equals_a_full_run(
    scenario: dict[str, Any],
    org: Any,
    analyst: Any,
    top_k: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    params: dict[str, Any] = {**PARAMS, "top_k": top_k}
    run = _national(org, analyst, django_capture_on_commit_callbacks, **params)
    assert TableStore.open(run) is not None
    samples = list(
        Sample.objects.filter(profile__isnull=False).order_by("sample_id")[:3]
    )
    _retype_pm(analyst, org, samples[0], _genotypes(samples[1]))
    assert _last_update()["stored_tables"] is True
    _retype_pm(analyst, org, samples[2], _genotypes(samples[0]))
    run.refresh_from_db()
    rerun = screening_run_national(actor=analyst, organisation=org, **params)
    _same(_rows(run), _rows(rerun))
    assert (run.candidates, run.above_threshold, run.bodies) == (
        rerun.candidates,
        rerun.above_threshold,
        rerun.bodies,
    )


def test_families_changed_since_the_tables_are_screened_afresh(
    scenario: dict[str, Any],
    org: Any,
    analyst: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = _national(org, analyst, django_capture_on_commit_callbacks, **PARAMS)
    refs = [
        s
        for s in ReferenceSample.objects.filter(profile__isnull=False)
        .select_related("profile", "member")
        .order_by("sample_id")
        if s.consent_active and s.reference_kind == "kinship"
    ]
    pm = list(Sample.objects.filter(profile__isnull=False).order_by("-sample_id")[:2])
    # A relative re-typed as a body's genotypes: the family's stored table is
    # out of date, and the body is then re-typed too.
    dna_profiles_upload(
        actor=analyst,
        organisation=org,
        kind=ProfileKind.REFERENCE,
        profiles={refs[0].sample_id: {"sex": 0, "genotypes": _genotypes(pm[1])}},
        source_format="test",
        source_sha256="0" * 64,
    )
    store = TableStore.open(run)
    assert store is not None and refs[0].member.person_id in store.stale
    assert not store.usable(refs[0].member.person_id)
    _retype_pm(analyst, org, pm[1], _genotypes(pm[1]))
    assert _last_update()["stored_tables"] is True
    run.refresh_from_db()
    rerun = screening_run_national(actor=analyst, organisation=org, **PARAMS)
    _same(_rows(run), _rows(rerun))


def test_a_change_to_the_whole_register_makes_the_tables_unusable(
    scenario: dict[str, Any],
    org: Any,
    analyst: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = _national(org, analyst, django_capture_on_commit_callbacks, **PARAMS)
    changes.records_changed(organisation_id=org.pk, everything=True, reason="test")
    assert TableStore.open(run) is None
    sample = Sample.objects.filter(profile__isnull=False).order_by("sample_id")[0]
    _retype_pm(analyst, org, sample, _genotypes(sample))
    assert _last_update()["stored_tables"] is False
    run.refresh_from_db()
    rerun = screening_run_national(actor=analyst, organisation=org, **PARAMS)
    _same(_rows(run), _rows(rerun))

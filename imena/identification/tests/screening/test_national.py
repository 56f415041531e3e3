"""National screening: stored like the per-site screening, updated exactly as
profiles are stored."""

from __future__ import annotations

import json
import math
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from imena.audit.models import AuditEntry
from imena.dna.models import ProfileKind
from imena.exhumations.models import Sample
from imena.identification.models import ScreeningCandidate
from imena.identification.screening import (
    build_case_for_site,
    load_site_case,
    missing_posteriors,
    per_marker_lrs,
)
from imena.identification.services import (
    dna_profiles_upload,
    screening_run,
    screening_run_national,
)
from imena.missing.models import ReferenceSample

pytestmark = pytest.mark.django_db

PARAMS: dict[str, Any] = {"threshold": 1e4, "top_k": 3, "dropout": 0.05}


def _rows(run: Any) -> dict[tuple[int, int], dict[str, Any]]:
    return {
        (c.body_id, c.person_id): {
            "pm": c.pm_label,
            "rank": c.rank,
            "lr": c.lr,
            "log10": c.log10_lr,
            "bad": c.inconsistent,
            "per_marker": c.per_marker,
        }
        for c in ScreeningCandidate.objects.filter(run=run)
    }


def _same(a: dict[tuple[int, int], Any], b: dict[tuple[int, int], Any]) -> None:
    assert a.keys() == b.keys()
    for key, x in a.items():
        y = b[key]
        assert (x["pm"], x["rank"], x["bad"]) == (y["pm"], y["rank"], y["bad"]), key
        assert math.isclose(x["log10"], y["log10"], rel_tol=1e-9, abs_tol=1e-9), key
        assert x["per_marker"].keys() == y["per_marker"].keys()
        for locus, v in x["per_marker"].items():
            w = y["per_marker"][locus]
            assert (v is None) == (w is None), (key, locus)
            if v is not None:
                assert math.isclose(v, w, rel_tol=1e-9, abs_tol=1e-300), (key, locus)


def _genotypes(sample: Any) -> dict[str, Any]:
    assert sample.profile is not None
    return dict(sample.profile.genotypes)


def _site(scenario: dict[str, Any]) -> Any:
    return next(iter(scenario["context"].sites.values()))


def test_the_national_run_stores_what_the_site_screening_stores(
    scenario: dict[str, Any], org: Any, analyst: Any
) -> None:
    site_run = screening_run(actor=analyst, site=_site(scenario), **PARAMS)
    run = screening_run_national(actor=analyst, organisation=org, **PARAMS)
    assert run.national and run.site is None and run.markers
    assert (run.bodies, run.missing_persons, run.pairs, run.candidates) == (
        site_run.bodies,
        site_run.missing_persons,
        site_run.pairs,
        site_run.candidates,
    )
    assert run.above_threshold == site_run.above_threshold
    rows = _rows(run)
    assert len(rows) > run.bodies  # top-k and more
    _same(rows, _rows(site_run))
    entry = AuditEntry.objects.filter(action="dna.screening.run").latest("seq")
    assert entry.after_data["national"] is True


def test_per_marker_lrs_equal_the_one_family_at_a_time_computation(
    scenario: dict[str, Any], org: Any, analyst: Any
) -> None:
    run = screening_run_national(actor=analyst, organisation=org, **PARAMS)
    data = build_case_for_site(_site(scenario))
    case, _notes = load_site_case(data)
    person_label = {pk: m for m, pk in data["index"]["persons"].items()}
    rows = list(ScreeningCandidate.objects.filter(run=run).order_by("pk")[:60])
    wanted = sorted({person_label[c.person_id] for c in rows})
    posteriors = missing_posteriors(case, wanted)
    for c in rows:
        expected = per_marker_lrs(
            case, posteriors[person_label[c.person_id]], c.pm_label, dropout=0.05
        )
        _same(
            {(0, 0): {**_fake(c), "per_marker": c.per_marker}},
            {(0, 0): {**_fake(c), "per_marker": expected}},
        )


def _fake(c: Any) -> dict[str, Any]:
    return {"pm": c.pm_label, "rank": c.rank, "bad": c.inconsistent, "log10": 0.0}


def _retype_pm(analyst: Any, org: Any, body_sample: Any, genotypes: dict) -> None:
    dna_profiles_upload(
        actor=analyst,
        organisation=org,
        kind=ProfileKind.POST_MORTEM,
        profiles={body_sample.sample_id: {"sex": 0, "genotypes": genotypes}},
        source_format="test",
        source_sha256="0" * 64,
    )


@pytest.mark.parametrize("top_k", [1, 3])
def test_a_new_post_mortem_profile_updates_the_run_as_a_full_run_would(
    scenario: dict[str, Any], org: Any, analyst: Any, top_k: int
) -> None:
    params: dict[str, Any] = {**PARAMS, "top_k": top_k}
    run = screening_run_national(actor=analyst, organisation=org, **params)
    samples = list(
        Sample.objects.filter(profile__isnull=False).order_by("sample_id")[:2]
    )
    # The first body is retyped with the second body's genotypes.
    _retype_pm(analyst, org, samples[0], _genotypes(samples[1]))
    run.refresh_from_db()
    assert run.profiles_added == 1 and run.updated is not None
    rerun = screening_run_national(actor=analyst, organisation=org, **params)
    _same(_rows(run), _rows(rerun))
    assert (run.candidates, run.above_threshold, run.bodies, run.pairs) == (
        rerun.candidates,
        rerun.above_threshold,
        rerun.bodies,
        rerun.pairs,
    )
    assert AuditEntry.objects.filter(action="dna.screening.update").exists()


@pytest.mark.parametrize("top_k", [1, 3])
def test_new_reference_profiles_update_the_run_as_a_full_run_would(
    scenario: dict[str, Any], org: Any, analyst: Any, top_k: int
) -> None:
    params: dict[str, Any] = {**PARAMS, "top_k": top_k}
    run = screening_run_national(actor=analyst, organisation=org, **params)
    refs = [
        s
        for s in ReferenceSample.objects.filter(profile__isnull=False)
        .select_related("profile")
        .order_by("sample_id")
        if s.consent_active and s.reference_kind == "kinship"
    ]
    pm = list(Sample.objects.filter(profile__isnull=False).order_by("-sample_id")[:3])
    before = _rows(run)
    # Three relatives re-typed: two as bodies' genotypes (now strong candidates
    # of those bodies), one as another relative's genotypes (weaker elsewhere).
    new = {
        refs[0].sample_id: _genotypes(pm[0]),
        refs[5].sample_id: _genotypes(pm[1]),
        refs[9].sample_id: _genotypes(refs[1]),
    }
    dna_profiles_upload(
        actor=analyst,
        organisation=org,
        kind=ProfileKind.REFERENCE,
        profiles={k: {"sex": 0, "genotypes": v} for k, v in new.items()},
        source_format="test",
        source_sha256="0" * 64,
    )
    rerun = screening_run_national(actor=analyst, organisation=org, **params)
    run.refresh_from_db()
    _same(_rows(run), _rows(rerun))
    assert run.candidates == rerun.candidates
    entry = AuditEntry.objects.filter(action="dna.screening.update").latest("seq")
    assert _rows(run) != before  # the update changed candidates
    assert entry.after_data["bodies_changed"] >= 2
    print(entry.after_data)


def test_without_a_national_run_storing_profiles_screens_nothing(
    scenario: dict[str, Any], org: Any, analyst: Any
) -> None:
    sample = Sample.objects.filter(profile__isnull=False).order_by("sample_id")[0]
    _retype_pm(analyst, org, sample, _genotypes(sample))
    assert not AuditEntry.objects.filter(action="dna.screening.update").exists()


def test_the_command_screens_every_site(scenario: dict[str, Any], org: Any) -> None:
    out = StringIO()
    call_command(
        "dna", "screen", "--national", "--json", "--no-progress", "--organisation",
        org.code, stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["national"] is True and data["site"] is None
    assert data["candidates"] and data["bodies"] > 30
    text = StringIO()
    call_command("dna", "screen", "--national", "--no-progress", stdout=text)
    assert text.getvalue().startswith(f"Screening {data['run'] + 1} of all sites: ")

"""The identification update of a new post-mortem profile screens the body
against the families the national screening's tables name only
(``screening_sieve``), and stores what a full computation stores (#13 items
3 and 4)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from imena.burials.models import Site
from imena.exhumations.models import Body, Sample
from imena.identification import services
from imena.identification.engine import (
    DNA_DROPOUT,
    SiteCache,
    dna_lrs,
    dna_threshold,
)
from imena.identification.models import CandidateRun
from imena.identification.scenario import DEMO_PARAMETERS
from imena.identification.screening_sieve import EngineSieve
from imena.identification.tests.screening.test_national import (
    _genotypes,
    _retype_pm,
)
from imena.identification.tests.test_updates import _assert_same

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(
    scenario: dict[str, Any],
    org: Any,
    analyst: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> tuple[dict[int, SiteCache], services.Register]:
    """A national screening with its tables, and the worker's state after a
    computation of every site."""
    settings.SCREENING_TABLES_DIR = tmp_path / "tables"
    # Exact updates, compared with full computations (no body deferred).
    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_run_national(
            actor=analyst,
            organisation=org,
            **DEMO_PARAMETERS,  # type: ignore[arg-type]
        )
    caches: dict[int, SiteCache] = {}
    register = services.Register()
    shared = register.refresh(org)
    for site in Site.objects.filter(organisation=org):
        if Body.objects.filter(grave__site=site).exists():
            services.candidates_compute(
                actor=None,
                site=site,
                shared=shared,
                cache=caches.setdefault(site.pk, SiteCache()),
            )
    return caches, register


def _update(
    org: Any, worker: tuple[dict[int, SiteCache], services.Register], site: Site
) -> CandidateRun:
    caches, register = worker
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    assert run.params["incremental"] is True
    return run


def _dna_of(cache: SiteCache, body_id: str) -> dict[str, float]:
    assert cache.dna is not None
    table = cache.dna[0]
    targets, logs = table.rows[body_id]
    return {table.persons[t]: float(v) for t, v in zip(targets, logs, strict=True)}


def _screened_against_everyone(
    org: Any, cache: SiteCache, body_id: str
) -> dict[str, float]:
    assert cache.body_list is not None and cache.person_list is not None
    (body,) = [b for b in cache.body_list if b.body_id == body_id]
    table, _rel, _notes = dna_lrs(
        [body],
        cache.person_list,
        DNA_DROPOUT,
        dna_threshold(),
        services.lineage_tables(org.pk),
    )
    targets, logs = table.rows[body_id]
    return {table.persons[t]: float(v) for t, v in zip(targets, logs, strict=True)}


def test_a_new_pm_profile_is_screened_through_the_tables_as_against_everyone(
    org: Any,
    analyst: Any,
    worker: tuple[dict[int, SiteCache], services.Register],
) -> None:
    samples = list(
        Sample.objects.filter(profile__isnull=False)
        .select_related("body__grave")
        .order_by("sample_id")[:2]
    )
    body = samples[0].body
    site = body.grave.site
    shared = worker[1].shared
    assert shared is not None
    families = sum(1 for p in shared.person_inputs if p.family)
    # The body re-typed as another body: other families reach the threshold.
    _retype_pm(analyst, org, samples[0], _genotypes(samples[1]))
    run = _update(org, worker, site)
    sieved, named, everyone = run.params["dna_sieved"]
    # The fast path was taken, and left families out.
    assert (sieved, everyone) == (1, 0)
    assert 0 < named < families
    cache = worker[0][site.pk]
    mine, full = (
        _dna_of(cache, str(body.pk)),
        _screened_against_everyone(org, cache, str(body.pk)),
    )
    assert mine.keys() == full.keys()
    for pid, value in full.items():
        assert mine[pid] == pytest.approx(value, abs=1e-9)
    # The stored candidates are those of a full computation.
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_without_current_tables_the_body_is_screened_against_every_family(
    org: Any,
    analyst: Any,
    worker: tuple[dict[int, SiteCache], services.Register],
    settings: Any,
) -> None:
    shutil.rmtree(settings.SCREENING_TABLES_DIR)
    assert EngineSieve.open(org.pk, DNA_DROPOUT) is None
    samples = list(
        Sample.objects.filter(profile__isnull=False)
        .select_related("body__grave")
        .order_by("sample_id")[:2]
    )
    body = samples[0].body
    _retype_pm(analyst, org, samples[0], _genotypes(samples[1]))
    run = _update(org, worker, body.grave.site)
    assert run.params["dna_sieved"] == [0, 0, 1]
    cache = worker[0][body.grave.site.pk]
    assert _dna_of(cache, str(body.pk)) == pytest.approx(
        _screened_against_everyone(org, cache, str(body.pk)), abs=1e-9
    )
    _assert_same(run, services.candidates_compute(actor=None, site=body.grave.site)[0])


def test_the_sieve_refuses_a_run_with_another_drop_out(
    org: Any, worker: tuple[dict[int, SiteCache], services.Register]
) -> None:
    assert EngineSieve.open(org.pk, DNA_DROPOUT) is not None
    assert EngineSieve.open(org.pk, 0.2) is None


def test_the_sieve_names_exactly_the_families_at_or_above_a_threshold(
    org: Any, worker: tuple[dict[int, SiteCache], services.Register]
) -> None:
    """Around each pair's exact LR (``dna_lrs`` against every family), the
    sieve names the family at a threshold just below it and not at one just
    above it (the stored tables are float32: within about 1e-6 in log10)."""
    sieve = EngineSieve.open(org.pk, DNA_DROPOUT)
    assert sieve is not None
    cache = next(iter(worker[0].values()))
    assert cache.body_list is not None and cache.person_list is not None
    families = [p for p in cache.person_list if p.family]
    checked = 0
    for body in [b for b in cache.body_list if b.dna][:4]:
        table, _rel, _notes = dna_lrs([body], families, DNA_DROPOUT, 1e-300)
        targets, logs = table.rows[body.body_id]
        exact = {table.persons[t]: float(v) for t, v in zip(targets, logs, strict=True)}
        for p in families:
            value = exact.get(p.person_id)
            if value is None:  # below 1e-300: never named at -13
                some = sieve.candidates(body, [p], -13.0)
                assert some == [] or not sieve.store.usable(int(p.person_id))
                continue
            below = sieve.candidates(body, [p], value - 1e-3)
            above = sieve.candidates(body, [p], value + 1e-3)
            assert below == [p]
            if sieve.store.usable(int(p.person_id)):
                assert above == []
                checked += 1
    assert checked > 10


def test_a_family_changed_after_the_reports_were_read_is_computed_exactly(
    org: Any,
    analyst: Any,
    worker: tuple[dict[int, SiteCache], services.Register],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The engine read its reports, then a family changed, then a national
    screening wrote its tables: they hold the new family, the engine the old
    one. That family is not read from the tables."""
    from imena.identification import changes
    from imena.missing.models import MissingPerson

    sieve = EngineSieve.open(org.pk, DNA_DROPOUT)
    assert sieve is not None
    pid = next(iter(sieve.store.column))
    read_at = changes.snapshot()
    person = MissingPerson.objects.get(pk=pid)
    person.save()  # a change to its report after the engine read it
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_run_national(
            actor=analyst,
            organisation=org,
            **DEMO_PARAMETERS,  # type: ignore[arg-type]
        )
    fresh = EngineSieve.open(org.pk, DNA_DROPOUT)
    assert fresh is not None and fresh.store.usable(pid)
    late = EngineSieve.open(org.pk, DNA_DROPOUT, read_at=read_at)
    assert late is not None and not late.store.usable(pid)

"""All sites computed in worker processes store what one process stores (#13 item 3)."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from django.db import connection, transaction

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.identification import compute_all, services
from imena.identification.engine import SiteResult
from imena.identification.models import (
    BodyAnalysis,
    Candidate,
    CandidateRun,
    PendingUpdate,
)

# Real commits: the workers read the sites through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)


def _stored(run: CandidateRun) -> dict[Any, Any]:
    out: dict[Any, Any] = {
        ("none", a.body_id): (a.posterior_unlisted, a.considered, a.exclusions)
        for a in BodyAnalysis.objects.of_run(run)
    }
    for c in Candidate.objects.of_run(run).select_related("analysis"):
        out[(c.analysis.body_id, c.person_id)] = (
            c.rank,
            c.posterior,
            c.lr,
            c.lr_dna,
            c.evidence,
        )
    return out


def test_worker_processes_store_the_same_runs_as_one_process(
    org: Organisation, sites: list[Site], users: dict[str, Any]
) -> None:
    actor = users["forensic_examiner"]
    # A prior set by a user on one site; the others estimated.
    priors = {sites[1].pk: 0.3}
    one = compute_all.sites_compute(
        actor=actor, organisation=org, sites=sites, priors=priors, workers=1
    )
    assert compute_all.can_fork()
    two = compute_all.sites_compute(
        actor=actor, organisation=org, sites=sites, priors=priors, workers=2
    )
    assert two[1].p_unlisted == 0.3 and two[0].p_unlisted != 0.3
    assert [r.site_id for r in one] == [r.site_id for r in two] == [s.pk for s in sites]
    # Two runs per site, stored by this process and by the workers.
    assert CandidateRun.objects.filter(site__in=sites).count() == 6
    candidates = 0
    for a, b in zip(one, two, strict=True):
        assert a.pk != b.pk and a.body_count == b.body_count > 0
        assert a.person_count == b.person_count and a.p_unlisted == b.p_unlisted
        x, y = _stored(a), _stored(b)
        assert x == y  # identical, not only close: the same computation
        candidates += len(x)
        assert b.created_by_id == actor.pk
    assert candidates > 3 * 36


def test_an_open_transaction_computes_in_this_process(
    org: Organisation, sites: list[Site]
) -> None:
    with transaction.atomic():
        assert not compute_all.can_fork()
        runs = compute_all.sites_compute(
            actor=None, organisation=org, sites=sites[:2], workers=2
        )
        assert [r.site_id for r in runs] == [s.pk for s in sites[:2]]
    assert connection.vendor in ("sqlite", "postgresql")


def test_the_update_after_a_load_computes_every_site_in_workers(
    org: Organisation, sites: list[Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    forks: list[str] = []
    get_context = multiprocessing.get_context

    def spy(method: str) -> Any:
        forks.append(method)
        return get_context(method)

    monkeypatch.setattr(compute_all.multiprocessing, "get_context", spy)
    # The load left every site pending; the update computes them all.
    assert PendingUpdate.objects.filter(done__isnull=True).exists()
    outcome = services.identification_update(actor=None, organisation=org)
    assert forks == ["fork"]
    assert [r.site_id for r in outcome.runs] == [s.pk for s in sites]
    assert not PendingUpdate.objects.filter(site__in=sites, done__isnull=True).exists()
    alone = compute_all.sites_compute(
        actor=None, organisation=org, sites=sites, workers=1
    )
    for a, b in zip(outcome.runs, alone, strict=True):
        assert _stored(a) == _stored(b)
        assert a.params["pending_done"] > 0 and b.params["pending_done"] == 0


def _posteriors(
    result: SiteResult,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Every posterior of the run; each candidate's DNA LR."""
    out: dict[tuple[str, str], float] = {}
    dna: dict[tuple[str, str], float] = {}
    for body_id, br in result.bodies.items():
        out[(body_id, "none")] = br.posterior.posterior_unlisted
        out[(body_id, "~others")] = br.others_mass
        for c in br.posterior.candidates:
            out[(body_id, c.person_id)] = c.posterior
            dna[(body_id, c.person_id)] = br.pairs[c.person_id].lr["dna"]
    return out, dna


def test_the_compact_shared_inputs_give_the_posteriors_of_a_site_alone(
    org: Organisation, scenario_site: Site
) -> None:
    # A site alone reads its reports and screens its bodies itself;
    # ``sites_compute`` shares the compact inputs (the DNA LRs of every site's
    # bodies as arrays, each report's model instance reduced to its id and
    # text, the families' allele strings shared) between its processes.
    alone_run, alone = services.candidates_compute(actor=None, site=scenario_site)
    shared = compute_all.compact_inputs(org, [scenario_site])
    assert {type(p) for p in shared.persons} == {compute_all.Report}
    run, result = services.candidates_compute(
        actor=None, site=scenario_site, shared=shared
    )
    (a, dna_a), (b, dna_b) = _posteriors(alone), _posteriors(result)
    assert a.keys() == b.keys() and dna_a.keys() == dna_b.keys()
    assert max(abs(a[k] - b[k]) for k in a) <= 1e-9
    assert dna_b == pytest.approx(dna_a, rel=1e-9, abs=0)
    # DNA took part, and the stored runs are the same.
    assert sum(lr > 1e6 for lr in dna_a.values()) >= 10
    assert _stored(alone_run) == _stored(run)

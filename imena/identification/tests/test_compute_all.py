"""All sites computed in worker processes store what one process stores (#13 item 3)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.exhumations.models import Body
from imena.identification import compute_all, services
from imena.identification.models import (
    BodyAnalysis,
    Candidate,
    CandidateRun,
    PendingUpdate,
)
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.simulation.core import simulate

# Real commits: the workers read the sites through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)


def _stored(run: CandidateRun) -> dict[Any, Any]:
    out: dict[Any, Any] = {
        ("none", a.body_id): (a.posterior_unlisted, a.considered, a.exclusions)
        for a in BodyAnalysis.objects.filter(run=run)
    }
    for c in Candidate.objects.filter(analysis__run=run).select_related("analysis"):
        out[(c.analysis.body_id, c.person_id)] = (
            c.rank,
            c.posterior,
            c.lr,
            c.lr_dna,
            c.evidence,
        )
    return out


@pytest.fixture
def sites(org: Organisation, tmp_path: Path) -> list[Site]:
    simulate(5, tmp_path / "sim", national=True, sites=3, bodies=36, missing=150)
    context = ScenarioContext(
        directory=tmp_path / "sim", organisation=org, actor=None, compute=False
    )
    load_scenario(context)
    found = [
        s
        for s in Site.objects.filter(organisation=org).order_by("pk")
        if Body.objects.filter(grave__site=s).exists()
    ]
    assert len(found) == 3
    return found


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

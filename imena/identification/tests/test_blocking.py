"""Blocking loses nobody: blocked and full computations give the same posteriors.

On a simulated one-site scenario loaded through the models (so the test runs on
SQLite and on PostgreSQL alike), every body's posteriors with blocking equal
those of the pair-by-pair computation to 1e-9.
"""

from __future__ import annotations

import pytest

from imena.burials.models import Site
from imena.identification import services
from imena.identification.engine import SiteResult, compute_site
from imena.identification.models import CandidateRun

pytestmark = pytest.mark.django_db

#: "None of these" and the one candidate's posterior of the ``run`` fixture,
#: computed on SQLite. A change of the model changes them: update both then.
GOLDEN = (0.081174417782482, 0.918825582217518)


def _posteriors(result: SiteResult) -> dict[tuple[str, str | None], float]:
    out: dict[tuple[str, str | None], float] = {}
    for body_id, br in result.bodies.items():
        out[(body_id, None)] = br.posterior.posterior_unlisted
        out[(body_id, "~others")] = br.others_mass
        for c in br.posterior.candidates:
            out[(body_id, c.person_id)] = c.posterior
    return out


def test_blocked_and_full_computations_give_the_same_posteriors(
    scenario_site: Site,
) -> None:
    data = services.site_inputs(scenario_site)
    params, _basis = services.site_params(scenario_site, data["counts"], None)
    args = (data["bodies"], data["person_inputs"], data["leads"], params)
    kwargs = {
        "overrides": data["overrides"],
        "n_graves": data["n_graves"],
        "grave_numbers": data["grave_numbers"],
    }
    blocked = compute_site(*args, blocking=True, **kwargs)
    full = compute_site(*args, blocking=False, **kwargs)
    # blocking did skip pairs (sex, age and DNA exclusions), and DNA took part
    assert sum(br.blocked for br in blocked.bodies.values()) > len(data["bodies"])
    assert sum(br.blocked for br in full.bodies.values()) == 0
    assert any(b.dna for b in data["bodies"])
    a, b = _posteriors(blocked), _posteriors(full)
    assert a.keys() == b.keys()
    assert max(abs(a[k] - b[k]) for k in a) < 1e-9
    for body_id, br in blocked.bodies.items():
        assert br.kept == full.bodies[body_id].kept


def test_stored_run_counts_blocked_pairs_and_lists_their_reasons(
    scenario_site: Site,
) -> None:
    run, result = services.candidates_compute(actor=None, site=scenario_site)
    assert run.params["blocked_pairs"] == sum(
        br.blocked for br in result.bodies.values()
    )
    analysis = run.analyses.order_by("pk")[0]
    assert analysis.exclusions
    assert all(e["reasons"] for e in analysis.exclusions)
    keys = {r["key"] for e in analysis.exclusions for r in e["reasons"]}
    assert keys & {"sex", "age", "dna"}


def test_posteriors_are_the_same_on_every_database(run: CandidateRun) -> None:
    # Figures computed once on SQLite; the suite runs on SQLite and PostgreSQL,
    # so both databases give these posteriors (to 1e-9).
    analysis = run.analyses.get()
    cand = analysis.candidates.get()
    assert analysis.posterior_unlisted == pytest.approx(GOLDEN[0], abs=1e-9)
    assert cand.posterior == pytest.approx(GOLDEN[1], abs=1e-9)


def test_site_inputs_read_the_models_in_bulk(
    scenario_site: Site, django_assert_max_num_queries
) -> None:
    # A query per body or per family took minutes at national scale (#13).
    data = services.site_inputs(scenario_site)
    assert len(data["bodies"]) > 20
    assert sum(p.family is not None for p in data["person_inputs"]) > 10
    with django_assert_max_num_queries(25):
        services.site_inputs(scenario_site)

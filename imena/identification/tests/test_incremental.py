"""Incremental updates equal a full recomputation (#13 item 3).

``compute_site`` with a ``SiteCache`` from the site's previous run computes
only the persons and bodies that are new or changed; every posterior, kept
candidate, blocked pair and listed reason is that of a run without the cache.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.exhumations.models import Body, PostMortemRecord
from imena.identification import adapters, engine, services
from imena.identification.engine import SiteCache, SiteResult, compute_site
from imena.identification.models import BodyAnalysis, Candidate
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.missing.tests.factories import make_person
from imena.simulation.core import simulate
from matching import vectorised

pytestmark = pytest.mark.django_db


@pytest.fixture
def inputs(org: Organisation, tmp_path: Path) -> dict[str, Any]:
    simulate(3, tmp_path / "sim", graves=40)
    context = ScenarioContext(directory=tmp_path / "sim", organisation=org, actor=None)
    load_scenario(context)
    site: Site = next(iter(context.sites.values()))
    data = services.site_inputs(site)
    data["params"] = services.site_params(site, data["counts"], None)[0]
    return data


def _run(
    data: dict[str, Any], bodies: list[Any], persons: list[Any], cache: Any = None
) -> SiteResult:
    return compute_site(
        bodies,
        persons,
        data["leads"],
        data["params"],
        overrides=data["overrides"],
        n_graves=data["n_graves"],
        grave_numbers=data["grave_numbers"],
        cache=cache,
    )


def _assert_same(a: SiteResult, b: SiteResult) -> None:
    assert a.bodies.keys() == b.bodies.keys()
    for body_id, x in a.bodies.items():
        y = b.bodies[body_id]
        assert x.posterior.posterior_unlisted == pytest.approx(
            y.posterior.posterior_unlisted, abs=1e-9
        )
        assert x.others_mass == pytest.approx(y.others_mass, abs=1e-9)
        assert [c.person_id for c in x.posterior.candidates] == [
            c.person_id for c in y.posterior.candidates
        ]
        for c, d in zip(x.posterior.candidates, y.posterior.candidates, strict=True):
            assert c.posterior == pytest.approx(d.posterior, abs=1e-9)
            assert c.suggestions == d.suggestions
        assert x.kept == y.kept
        assert x.blocked == y.blocked
        assert x.blocked_listed == y.blocked_listed
        assert {p: (r.lr, r.exclusions) for p, r in x.pairs.items()} == {
            p: (r.lr, r.exclusions) for p, r in y.pairs.items()
        }
        assert np.array_equal(x.live, y.live)
        assert np.allclose(x.live_lr, y.live_lr, rtol=1e-12, atol=0)


def test_new_reports_are_computed_alone_and_give_a_full_computation(
    inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies, persons = inputs["bodies"], inputs["person_inputs"]
    typed = [p for p in persons if p.family]
    new = [typed[-1], next(p for p in persons if not p.family)]
    before = [p for p in persons if p not in new]
    # A coarse grid for this small register (a few dozen reports, where
    # the default grid keeps every size): the size is the same with the
    # two new reports.
    inputs = {**inputs, "params": replace(inputs["params"], register_grid=2)}
    while engine.register_size(len(before), inputs["params"]) != engine.register_size(
        len(before) + len(new), inputs["params"]
    ):
        before = before[:-1]
    cache = SiteCache()
    _run(inputs, bodies, before, cache)

    sizes: list[int] = []
    simple_row = vectorised.simple_row

    def counting(table: Any, pm: Any, model: Any) -> Any:
        sizes.append(len(table))
        return simple_row(table, pm, model)

    monkeypatch.setattr(vectorised, "simple_row", counting)
    incremental = _run(inputs, bodies, before + new, cache)
    # every body was compared with the two new reports only
    assert sizes == [len(new)] * len(bodies)
    monkeypatch.setattr(vectorised, "simple_row", simple_row)
    _assert_same(incremental, _run(inputs, bodies, before + new))
    # Posteriors computed again: the graves where a new report has an LR
    # above 0 (and what the competition carries further), not every body.
    ids = {p.person_id for p in new}
    graves = {
        x.grave_id
        for x in incremental.bodies.values()
        if ids & {incremental.person_ids[j] for j in x.live.tolist()}
    }
    touched = {b.body_id for b in bodies if b.grave_id in graves}
    assert touched <= incremental.recomputed
    assert len(incremental.recomputed) < len(bodies)
    # Nothing new: nothing computed again, and the same result.
    again = _run(inputs, bodies, before + new, cache)
    assert again.recomputed == set()
    _assert_same(again, incremental)


def test_a_run_adding_reports_records_what_a_full_run_records(
    inputs: dict[str, Any], full_runs: list[int]
) -> None:
    """What a body's posteriors came from (``SiteCache.last``: its pairs
    computed one by one, weights, prior mass) as a run that adds reports
    (``_appended_run``) records it equals what a full run records: else the
    next run that computes the site in full finds every body the first one
    computed changed, and keeps none of them."""
    bodies, persons = list(inputs["bodies"]), inputs["person_inputs"]
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    new = [next(p for p in persons if not p.family and p.person_id not in named)]
    inputs = {**inputs, "params": replace(inputs["params"], register_grid=2)}
    before = _on_one_grid_point(inputs, [p for p in persons if p not in new], new)
    cache = SiteCache()
    _run(inputs, bodies, before, cache)
    runs = full_runs[0]
    appended = _run(inputs, bodies, before + new, cache)
    assert full_runs[0] == runs and appended.recomputed
    full = SiteCache()
    _run(inputs, bodies, before + new, full)
    for body_id in appended.recomputed:
        assert cache.last[body_id].pairs == full.last[body_id].pairs, body_id
        assert cache.last[body_id].norm == full.last[body_id].norm


def test_changed_records_and_closed_reports_give_a_full_computation(
    inputs: dict[str, Any],
) -> None:
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    cache = SiteCache()
    _run(inputs, bodies, persons, cache)
    # A corrected PM record (stature), a corrected report (stature, sex)...
    b = bodies[3]
    bodies[3] = replace(
        b, pm={**b.pm, "stature_cm": (b.pm.get("stature_cm") or 170) + 6}
    )
    p = persons[5]
    persons[5] = replace(
        p, am={**p.am, "stature_am": 150.0, "sex_am": "female", "age_am": [20, 30]}
    )
    # ... and a report closed (identified elsewhere): no longer a candidate.
    del persons[7]
    incremental = _run(inputs, bodies, persons, cache)
    _assert_same(incremental, _run(inputs, bodies, persons))
    assert bodies[3].body_id in incremental.recomputed
    # and again from the updated cache, with nothing changed
    _assert_same(_run(inputs, bodies, persons, cache), incremental)


def test_a_corrected_report_alone_gives_a_full_computation(
    inputs: dict[str, Any],
) -> None:
    """The same bodies (objects) and reports, one of them corrected: only
    the reports that are other objects are compared (``SiteCache.sync``)."""
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    cache = SiteCache()
    _run(inputs, bodies, persons, cache)
    p = persons[5]
    persons[5] = replace(
        p,
        label=p.label + "-2",
        am={**p.am, "stature_am": 150.0, "sex_am": "female", "age_am": [20, 30]},
    )
    # An equal report read again (another object): no change.
    persons[6] = replace(persons[6])
    # The bodies listing the report among their exclusions, with their
    # other persons' reasons: kept, only the report's are computed again.
    listing = {
        body: dict(entries)
        for body, (first, entries) in cache.listed.items()
        if p.person_id in first
    }
    assert listing
    incremental = _run(inputs, bodies, persons, cache)
    assert cache.changed_persons == {p.person_id}
    assert cache.changed_labels == {p.person_id}
    _assert_same(incremental, _run(inputs, bodies, persons))
    for body, was in listing.items():
        now = dict(cache.listed[body][1])
        kept = [pid for pid in now if pid in was and pid != p.person_id]
        assert kept
        assert all(now[pid] is was[pid] for pid in kept)
    again = _run(inputs, bodies, persons, cache)
    assert again.recomputed == set()
    _assert_same(again, incremental)


def _stored(run: Any) -> dict[tuple[int, int], tuple[int, float]]:
    return {
        (c.analysis.body_id, c.person_id): (c.rank, c.posterior)
        for c in Candidate.objects.of_run(run).select_related("analysis")
    }


def _rounded(x: Any) -> Any:
    """JSON with every number to 9 significant digits."""
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v) for v in x]
    return x


def _analyses(run: Any) -> dict[int, Any]:
    return {
        a.body_id: _rounded(
            [a.posterior_unlisted, a.others_posterior, a.considered, a.method]
            + [a.exclusions]
            + [
                [c.person_id, c.rank, c.prior, c.lr, c.posterior, c.evidence]
                for c in a.candidates.order_by("rank")
            ]
        )
        for a in BodyAnalysis.objects.of_run(run).prefetch_related("candidates")
    }


def test_a_stored_run_with_the_cache_equals_one_without(
    org: Organisation, tmp_path: Path, coarse_register_grid: Callable[[], None]
) -> None:
    simulate(3, tmp_path / "sim", graves=40)
    context = ScenarioContext(directory=tmp_path / "sim", organisation=org, actor=None)
    load_scenario(context)
    site: Site = next(iter(context.sites.values()))
    # A coarse grid for this small register (see above).
    coarse_register_grid()
    # The register size stays on its grid point with the new report.
    n = len(adapters.open_persons(org))
    while engine.grid_up(n, 2) != engine.grid_up(n + 1, 2):
        make_person(org, family_name="Новенький", given_names="Іван", birth_year=1900)
        n += 1
    cache = SiteCache()
    first, _ = services.candidates_compute(actor=None, site=site, cache=cache)
    before = _analyses(first)
    # A new report, and a corrected PM record.
    make_person(org, family_name="Новенький", given_names="Петро", birth_year=1980)
    body = Body.objects.filter(grave__site=site).order_by("pk").first()
    assert body is not None
    PostMortemRecord.objects.filter(body=body).update(stature_min=160, stature_max=166)
    with_cache, _ = services.candidates_compute(actor=None, site=site, cache=cache)
    without, _ = services.candidates_compute(actor=None, site=site)
    a, b = _stored(with_cache), _stored(without)
    assert a.keys() == b.keys()
    for key, (rank, posterior) in a.items():
        assert rank == b[key][0]
        assert posterior == pytest.approx(b[key][1], abs=1e-9)
    # Bodies the update did not touch were copied from the last run, the
    # others stored anew: every analysis and candidate, with its evidence, is
    # that of the full computation; the last run is left as it was.
    assert 0 < with_cache.params["bodies_copied"] < len(before)
    assert not without.params.get("bodies_copied")
    assert _analyses(with_cache) == _analyses(without)
    assert _analyses(first) == before


def test_changed_body_profiles_are_screened_alone_and_give_a_full_computation(
    inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    # b: a body with a Y-STR / mtDNA line in a pair's explanation
    texts = _dna_texts(_run(inputs, bodies, persons))
    lineage = {
        k[0] for k, t in texts.items() if t and ("Y-STR" in t[0] or "mtDNA" in t[0])
    }
    index = {x.body_id: i for i, x in enumerate(bodies)}
    b = index[min(lineage)]
    a, c, d = [i for i, x in enumerate(bodies) if x.dna and i != b][:3]
    profile = bodies[d].dna
    bodies[d] = replace(bodies[d], dna=None)
    cache = SiteCache()
    _run(inputs, bodies, persons, cache)
    # One body's PM profile changes (another body's genotypes), one body gets
    # its profile, one profile is withdrawn.
    bodies[a] = replace(bodies[a], dna=bodies[b].dna)
    bodies[d] = replace(bodies[d], dna=profile)
    bodies[c] = replace(bodies[c], dna=None)
    touched = {bodies[a].body_id, bodies[d].body_id}

    screened: list[set[str]] = []
    dna_lrs = engine.dna_lrs

    def counting(bs: Any, *args: Any, **kwargs: Any) -> Any:
        screened.append({x.body_id for x in bs})
        return dna_lrs(bs, *args, **kwargs)

    monkeypatch.setattr(engine, "dna_lrs", counting)
    incremental = _run(inputs, bodies, persons, cache)
    # only the two touched bodies were screened, against every family
    assert screened == [touched]
    monkeypatch.setattr(engine, "dna_lrs", dna_lrs)
    full = _run(inputs, bodies, persons)
    _assert_same(incremental, full)
    assert _dna_texts(incremental) == _dna_texts(full)
    # and again from the updated cache, with nothing changed
    _assert_same(_run(inputs, bodies, persons, cache), incremental)


def _dna_texts(result: SiteResult) -> dict[tuple[str, str], Any]:
    return {
        (body_id, p): r.dna_text
        for body_id, x in result.bodies.items()
        for p, r in x.pairs.items()
    }


def test_a_family_reference_added_gives_a_full_computation(
    inputs: dict[str, Any],
) -> None:
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    donor = next(p for p in persons if p.family)
    j = next(i for i, p in enumerate(persons) if not p.family)
    cache = SiteCache()
    _run(inputs, bodies, persons, cache)
    # A report without references gets a family (the donor's genotypes).
    persons[j] = replace(persons[j], family=donor.family)
    incremental = _run(inputs, bodies, persons, cache)
    full = _run(inputs, bodies, persons)
    _assert_same(incremental, full)
    assert _dna_texts(incremental) == _dna_texts(full)


def _blocked_report(persons: list[Any]) -> Any:
    """A new report no body of the site can be: 115-120 years old."""
    src = next(p for p in persons if not p.family)
    return replace(
        src, person_id="99999999", label="NEW", am={**src.am, "age_am": [115, 120]}
    )


@pytest.mark.parametrize("grid", [2, 0])
def test_a_report_excluded_at_a_body_leaves_its_posteriors_unchanged(
    inputs: dict[str, Any], grid: int
) -> None:
    """The register size is on a grid (``Params.register_grid``; a coarse one
    for this small register): one more report that no body can be changes no
    posterior, unless a body's rounded prior mass moved; exact sizes (grid 0)
    moved every body's."""
    bodies, persons = inputs["bodies"], inputs["person_inputs"]
    data = {**inputs, "params": replace(inputs["params"], register_grid=grid)}
    # the register size stays on its grid point with one more report
    while grid and engine.register_size(
        len(persons), data["params"]
    ) != engine.register_size(len(persons) + 1, data["params"]):
        persons = persons[:-1]
    before = _run(data, bodies, persons)
    after = _run(data, bodies, [*persons, _blocked_report(persons)])
    same = moved = 0
    for body_id, x in before.bodies.items():
        y = after.bodies[body_id]
        assert y.n_considered == x.n_considered + 1
        if len(y.live) != len(x.live) or y.norm != x.norm:  # (a body of no age)
            moved += 1
            continue
        same += 1
        assert y.posterior.posterior_unlisted == x.posterior.posterior_unlisted
        assert [(c.person_id, c.posterior) for c in y.posterior.candidates] == [
            (c.person_id, c.posterior) for c in x.posterior.candidates
        ]
        assert y.others_mass == x.others_mass
    if grid:
        assert same > len(bodies) // 2
    else:
        assert same == 0


def test_what_the_competition_carries_is_computed_again(
    inputs: dict[str, Any],
) -> None:
    """A report closed that was strongly placed at one body: that body's mass
    goes to its other candidates, whose "one person, one body" weights at
    their other bodies move, and those bodies are computed again too (else
    they would differ from a full computation), where the closed report had
    no LR above 0."""
    bodies, persons = inputs["bodies"], list(inputs["person_inputs"])
    cache = SiteCache()
    first = _run(inputs, bodies, persons, cache)
    strong = max(
        (c.posterior, c.person_id)
        for x in first.bodies.values()
        for c in x.posterior.candidates
    )[1]
    j = next(k for k, p in enumerate(persons) if p.person_id == strong)
    where = {x.body_id for x in first.bodies.values() if j in set(x.live.tolist())}
    rest = [p for p in persons if p.person_id != strong]
    incremental = _run(inputs, bodies, rest, cache)
    _assert_same(incremental, _run(inputs, bodies, rest))
    assert where <= incremental.recomputed
    assert incremental.recomputed - where  # carried by the competition


def _on_one_grid_point(
    data: dict[str, Any], before: list[Any], new: list[Any]
) -> list[Any]:
    """``before`` shortened until adding ``new`` leaves the register size and
    the first prior mass on their grid points (register grid of 2)."""

    def grid_point(ps: list[Any]) -> tuple[int, float]:
        return (
            engine.register_size(len(ps), data["params"]),
            engine.grid_up(sum(p.weight for p in ps), 2),
        )

    while grid_point(before) != grid_point(before + new):
        before = before[:-1]
    return before


def test_reports_added_one_by_one_extend_the_last_run(
    inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch, full_runs: list[int]
) -> None:
    """Reports that no journal names, added one after another: each run with
    the cache extends the last one (``engine._appended_run``: no full run of
    the site) and equals a full computation, with only the graves that a new
    report reaches, or whose "one person, one body" weights it moved,
    computed again. Among them: a second report of the person most strongly
    placed at a body (a competitor for that body), a typed one, an untyped
    one and one that no body can be."""
    bodies, persons = inputs["bodies"], list(inputs["person_inputs"])
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    first = _run(inputs, bodies, persons)
    strong = max(
        (c.posterior, c.person_id)
        for x in first.bodies.values()
        for c in x.posterior.candidates
        if c.person_id not in named
    )[1]
    twin = next(p for p in persons if p.person_id == strong)
    free = [p for p in persons if p.person_id not in named and p is not twin]
    new = [
        replace(twin, person_id="77777777", label="TWIN"),
        next(p for p in free if p.family),
        next(p for p in free if not p.family),
        _blocked_report(persons),
    ]
    data = {**inputs, "params": replace(inputs["params"], register_grid=2)}
    before = _on_one_grid_point(data, [p for p in persons if p not in new], new)
    cache = SiteCache()
    _run(data, bodies, before, cache)
    now = list(before)
    recomputed = set()
    # What an appended run must not do: rebuild a body's row pair by pair
    # (``_Site.row``), compare the new reports body by body (``simple_row``);
    # and it builds again only the candidates whose pair or weight changed.
    slow: list[str] = []
    built: list[int] = []
    row, simple_row, candidate = (
        engine._Site.row,
        vectorised.simple_row,
        engine._candidate,
    )

    def row_counted(*args: Any) -> Any:
        slow.append("row")
        return row(*args)

    def simple_counted(*args: Any) -> Any:
        slow.append("simple_row")
        return simple_row(*args)

    def candidate_counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return candidate(*args, **kwargs)

    reused = 0
    for k, p in enumerate(new):
        # (the caller's list extended in place, or a new list)
        if k % 2:
            now.append(p)
        else:
            now = [*now, p]
        monkeypatch.setattr(engine._Site, "row", row_counted)
        monkeypatch.setattr(vectorised, "simple_row", simple_counted)
        monkeypatch.setattr(engine, "_candidate", candidate_counted)
        built.clear()
        runs = full_runs[0]
        incremental = _run(data, bodies, now, cache)
        monkeypatch.setattr(engine._Site, "row", row)
        monkeypatch.setattr(vectorised, "simple_row", simple_row)
        monkeypatch.setattr(engine, "_candidate", candidate)
        assert full_runs[0] == runs
        assert not slow
        shown = sum(
            len(incremental.bodies[bid].posterior.candidates)
            for bid in incremental.recomputed
        )
        reused += shown - len(built)
        full = _run(data, bodies, now)
        _assert_same(incremental, full)
        assert _dna_texts(incremental) == _dna_texts(full)
        assert len(incremental.recomputed) < len(bodies)
        recomputed |= incremental.recomputed
        # the DNA targets' index kept with the new families: as built anew
        assert cache.dna is not None
        table = cache.dna[0]
        assert table.target == {pid: t for t, pid in enumerate(table.persons)}
    assert recomputed
    assert reused > 0
    # A changed report: a full run again, equal to a full computation.
    now[0] = replace(now[0], am={**now[0].am, "stature_am": 150.0})
    runs = full_runs[0]
    incremental = _run(data, bodies, now, cache)
    assert full_runs[0] == runs + 1
    _assert_same(incremental, _run(data, bodies, now))


def _within(a: Any, b: Any, bound: float) -> None:
    """Body results ``a`` (kept from an earlier run) and ``b`` (exact): every
    posterior within ``bound`` (a candidate listed by one only: its posterior
    below the bound)."""
    slack = bound + 1e-12
    assert abs(a.posterior.posterior_unlisted - b.posterior.posterior_unlisted) <= slack
    assert abs(a.others_mass - b.others_mass) <= slack
    pa = {c.person_id: c.posterior for c in a.posterior.candidates}
    pb = {c.person_id: c.posterior for c in b.posterior.candidates}
    for pid in pa.keys() | pb.keys():
        assert abs(pa.get(pid, 0.0) - pb.get(pid, 0.0)) <= slack, pid


def test_reports_below_the_bound_leave_bodies_deferred_then_exact(
    inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SiteCache.defer_below``: untyped reports added one by one leave the
    bodies alone in their grave that they move by less than the bound with
    their last result; every posterior of those is within the bound given
    (summed over the runs) of a full computation's, every other body equals
    it, and a run with no bound computes exactly the deferred ones again and
    equals a full computation."""
    bodies, persons = inputs["bodies"], list(inputs["person_inputs"])
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    new = [p for p in persons if p.person_id not in named and not p.family][-2:]
    assert len(new) == 2
    before = [p for p in persons if p not in new]
    # Coarse grids for this small register (a few dozen reports, where one
    # more report moves the competition of nearly every body; at the
    # register's size it moves few): the sizes and most "one person, one
    # body" factors stay on their grid points.
    data = {
        **inputs,
        "params": replace(inputs["params"], register_grid=2, competition_grid=2),
    }
    before = _on_one_grid_point(data, before, new)
    cache = SiteCache()
    start = _run(data, bodies, before, cache)
    # A body with a posterior just above a decision threshold is never
    # deferred (deferring lowers its posteriors, by up to the bound).
    guarded = copy.deepcopy(cache)
    guarded.defer_below = 0.9
    guarded.thresholds = tuple(
        c.posterior - 1e-15
        for x in start.bodies.values()
        for c in x.posterior.candidates[:1]
    )
    held = _run(data, bodies, [*before, new[0]], guarded).deferred
    assert all(not start.bodies[b].posterior.candidates for b in held)
    full_runs: list[int] = []
    compute = engine._compute_site

    def counting(*args: Any) -> Any:
        full_runs.append(1)
        return compute(*args)

    monkeypatch.setattr(engine, "_compute_site", counting)
    alone = {
        b.body_id
        for b in bodies
        if sum(1 for c in bodies if c.grave_id == b.grave_id) == 1
    }
    now = list(before)
    bounds: list[dict[str, float]] = []
    for p in new:
        now = [*now, p]
        cache.defer_below = 0.9
        incremental = _run(data, bodies, now, cache)
        assert not full_runs
        full = compute(
            bodies,
            now,
            data["leads"],
            data["params"],
            data["overrides"],
            data["n_graves"],
            data["grave_numbers"],
            True,
            engine.person_table(now),
            None,
            None,
        )
        deferred = incremental.deferred
        bounds.append(dict(deferred))
        assert deferred.keys() <= alone
        assert not deferred.keys() & incremental.recomputed
        for body_id, x in incremental.bodies.items():
            if body_id in deferred:
                assert 0 < deferred[body_id] < 0.9
                _within(x, full.bodies[body_id], deferred[body_id])
            else:
                _assert_same(
                    SiteResult({body_id: x}, data["params"]),
                    SiteResult({body_id: full.bodies[body_id]}, data["params"]),
                )
            # every row holds the new reports (what a later run reads)
            assert np.array_equal(x.live, full.bodies[body_id].live)
    # Some bodies deferred; a body deferred stays so (its bound summed when
    # a later report moves it too) until a run with a lower bound.
    assert bounds[0]
    assert bounds[0].keys() <= bounds[1].keys()
    assert all(bounds[1][b] >= bounds[0][b] for b in bounds[0])
    # A bound of 0: the deferred bodies computed again, nothing else; exact.
    cache.defer_below = 0.0
    again = _run(data, bodies, now, cache)
    assert not full_runs
    assert again.deferred == {}
    assert again.recomputed == set(bounds[1])
    monkeypatch.setattr(engine, "_compute_site", compute)
    _assert_same(again, _run(data, bodies, now))


@pytest.fixture
def national_inputs(org: Organisation, tmp_path: Path) -> dict[str, Any]:
    """One site of a small national scenario: 60 bodies, 330 reports (most
    never buried there, as in the register)."""
    simulate(5, tmp_path / "nat", national=True, sites=1, bodies=60, missing=330)
    context = ScenarioContext(directory=tmp_path / "nat", organisation=org, actor=None)
    load_scenario(context)
    site = next(s for s in context.sites.values() if s.graves.exists())
    data = services.site_inputs(site)
    data["params"] = services.site_params(site, data["counts"], None)[0]
    return data


def test_a_changed_report_below_the_bound_is_held_within_it(
    national_inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``engine.hold_persons`` with a corrected report that the site shows
    nowhere (no candidate, no listed exclusion) but that has an LR above 0 at
    some bodies: the bodies it moves are deferred with bounds, and every
    posterior of the last result is within its body's bound of a full
    computation with the corrected report; the cache's next run equals a
    full computation."""
    inputs = national_inputs
    monkeypatch.setattr(engine, "EXCLUSIONS_LISTED", 0)
    bodies, persons = inputs["bodies"], list(inputs["person_inputs"])
    # Two candidates kept per body (in this small register every report
    # with an LR above 0 somewhere is otherwise shown somewhere).
    data = {
        **inputs,
        "params": replace(
            inputs["params"],
            register_grid=2,
            competition_grid=2,
            keep_per_body=2,
            joint_extra=2,
        ),
    }
    cache = SiteCache()
    first = _run(data, bodies, persons, cache)
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    shown = {c.person_id for x in first.bodies.values() for c in x.posterior.candidates}
    shown |= {pid for x in first.bodies.values() for pid in x.pairs}
    reach = {first.person_ids[j] for x in first.bodies.values() for j in x.live}
    j, p = next(
        (j, p)
        for j, p in enumerate(persons)
        if p.person_id in reach
        and p.person_id not in shown | named
        and p.am.get("stature_am")
    )
    changed = replace(p, am={**p.am, "stature_am": float(p.am["stature_am"]) + 3.0})
    now = [*persons[:j], changed, *persons[j + 1 :]]
    held = engine.hold_persons(cache, now, [], 0.9, changed=[changed])
    assert held
    assert cache.changed_held == {changed.person_id: changed}
    full = _run(data, bodies, now)
    for body_id, x in first.bodies.items():
        bound = held.get(body_id)
        if bound is None:
            _assert_same(
                SiteResult({body_id: x}, data["params"]),
                SiteResult({body_id: full.bodies[body_id]}, data["params"]),
            )
        else:
            _within(x, full.bodies[body_id], bound)
    # The next run takes the corrected report: a full computation's result.
    _assert_same(_run(data, bodies, now, cache), full)
    assert cache.changed_held == {} and cache.held == []


def test_a_family_changed_for_a_listed_exclusion_is_held_within_the_bound(
    national_inputs: dict[str, Any],
) -> None:
    """A report among the bodies' listed exclusions whose family only changed
    (a reference profile replaced: the same AM record, so the same physical
    reasons): held while it stays excluded where it is listed; every body
    within its bound of a full computation, the listed exclusions equal."""
    inputs = national_inputs
    bodies, persons = inputs["bodies"], list(inputs["person_inputs"])
    data = {
        **inputs,
        "params": replace(inputs["params"], register_grid=2, competition_grid=2),
    }
    cache = SiteCache()
    first = _run(data, bodies, persons, cache)
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    shown = {c.person_id for x in first.bodies.values() for c in x.posterior.candidates}
    shown |= {pid for x in first.bodies.values() for pid in x.pairs}
    listed = {pid for x in first.bodies.values() for pid, _r in x.blocked_listed}
    typed = [p for p in persons if p.family and p.family.get("genotypes")]
    j, p = next(
        (j, p)
        for j, p in enumerate(persons)
        if p in typed and p.person_id in listed and p.person_id not in shown | named
    )
    # Its references' genotypes replaced by another family's.
    other = next(q for q in typed if q is not p and q.person_id not in named)
    refs = dict(p.family["genotypes"])
    donor = list(other.family["genotypes"].values())
    for k, member in enumerate(sorted(refs)):
        refs[member] = donor[k % len(donor)]
    changed = replace(p, family={**p.family, "genotypes": refs})
    now = [*persons[:j], changed, *persons[j + 1 :]]
    held = engine.hold_persons(cache, now, [], 0.9, changed=[changed])
    assert held is not None
    full = _run(data, bodies, now)
    for body_id, x in first.bodies.items():
        y = full.bodies[body_id]
        assert x.blocked_listed == y.blocked_listed
        if body_id in held:
            _within(x, y, held[body_id])
        else:
            _assert_same(
                SiteResult({body_id: x}, data["params"]),
                SiteResult({body_id: y}, data["params"]),
            )
    _assert_same(_run(data, bodies, now, cache), full)


def test_bodies_only_reweighted_are_deferred_within_their_bounds(
    national_inputs: dict[str, Any],
) -> None:
    """A run that computes a site again (a corrected PM record, a changed
    family) leaves a body alone in its grave whose row is the same and whose
    competition weights or prior mass moved by less than the bound with its
    last result (``engine._moved_bound``): every posterior within its bound
    of a full computation; a run without deferral equals a full one."""
    inputs = national_inputs
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    cache = SiteCache()
    _run(inputs, bodies, persons, cache)
    # A body's DNA profile and stature corrected: the persons it reaches
    # move their weights at other bodies.
    typed = [i for i, b in enumerate(bodies) if b.dna]
    i, k = typed[0], typed[-1]
    bodies[i] = replace(
        bodies[i],
        dna=bodies[k].dna,
        pm={**bodies[i].pm, "stature_cm": (bodies[i].pm.get("stature_cm") or 170) - 9},
    )
    cache.defer_below = 0.05
    deferred = _run(inputs, bodies, persons, cache)
    full = _run(inputs, bodies, persons)
    assert deferred.deferred, "no body deferred: the test shows nothing"
    assert bodies[i].body_id not in deferred.deferred
    for body_id, x in deferred.bodies.items():
        bound = deferred.deferred.get(body_id)
        if bound is None:
            _assert_same(
                SiteResult({body_id: x}, inputs["params"]),
                SiteResult({body_id: full.bodies[body_id]}, inputs["params"]),
            )
        else:
            assert body_id not in deferred.recomputed
            _within(x, full.bodies[body_id], bound)
    assert cache.deferred == deferred.deferred
    # Without deferral: the deferred bodies computed, a full computation's.
    cache.defer_below = 0.0
    exact = _run(inputs, bodies, persons, cache)
    assert set(deferred.deferred) <= exact.recomputed
    assert not exact.deferred and not cache.deferred
    _assert_same(exact, full)


def _family_replaced(p: Any, other: Any) -> Any:
    """Report ``p`` with its references' genotypes replaced by ``other``'s."""
    refs = dict(p.family["genotypes"])
    donor = list(other.family["genotypes"].values())
    for k, member in enumerate(sorted(refs)):
        refs[member] = donor[k % len(donor)]
    return replace(p, family={**p.family, "genotypes": refs})


@pytest.mark.parametrize(
    ("which", "defer"), [("shown", 0.0), ("reaching", 0.0), ("reaching", 0.5)]
)
def test_a_changed_family_is_computed_alone_and_gives_a_full_computation(
    national_inputs: dict[str, Any],
    full_runs: list[int],
    which: str,
    defer: float,
) -> None:
    """A report whose family alone changed (a reference profile replaced):
    the run computes its pairs again and extends the kept competition with
    their new LRs (``engine._family_change``; a pair now excluded gets LR 0
    there), without a full computation of the site; the result equals a
    run without the cache, the bodies it does not reach are not computed,
    and a run after it with nothing changed equals it too. ``shown``: a
    report that is a candidate at some body; ``reaching``: one with an LR
    above 0 at some bodies, shown nowhere. With ``defer`` (``SiteCache.
    defer_below``): the bodies it only moves are deferred
    (``engine._family_deferrable``), each within its bound of the full
    computation, the others equal; the next run without deferral equals
    it."""
    inputs = national_inputs
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    data = inputs
    cache = SiteCache()
    first = _run(data, bodies, persons, cache)
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    shown = {c.person_id for x in first.bodies.values() for c in x.posterior.candidates}
    shown |= {pid for x in first.bodies.values() for pid in x.pairs}
    typed = [p for p in persons if p.family and p.family.get("genotypes")]
    typed_bodies = {b.body_id for b in bodies if b.dna}
    reach: dict[str, set[str]] = {}
    for body_id, x in first.bodies.items():
        if body_id in typed_bodies:
            for j in x.live.tolist():
                reach.setdefault(first.person_ids[j], set()).add(body_id)
    fits = [
        (j, p)
        for j, p in enumerate(persons)
        if p in typed
        and p.person_id not in named
        and (p.person_id in shown) == (which == "shown")
        and len(reach.get(p.person_id, ())) >= 2
    ]
    assert fits, "the scenario has no such report"
    others = [q for q in typed if q.person_id not in named]
    # The first report whose new family leaves no new pair (the kept
    # competition has no place for one: a full run, tested below).
    for j, p in fits:
        for other in others:
            if other is p:
                continue
            changed = _family_replaced(p, other)
            now = [*persons[:j], changed, *persons[j + 1 :]]
            # (A cache of its own: a copy would hold other objects.)
            probe = SiteCache()
            _run(data, bodies, persons, probe)
            probe.defer_below = defer
            before = full_runs[0]
            incremental = _run(data, bodies, now, probe)
            if full_runs[0] == before:
                break
        else:
            continue
        break
    assert full_runs[0] == before, "no family change of the scenario keeps every pair"
    full = _run(data, bodies, now)
    for body_id, x in incremental.bodies.items():
        y = full.bodies[body_id]
        bound = incremental.deferred.get(body_id)
        if bound is None:
            _assert_same(
                SiteResult({body_id: x}, data["params"]),
                SiteResult({body_id: y}, data["params"]),
            )
        else:
            _within(x, y, bound)
            assert x.blocked_listed == y.blocked_listed
    assert bool(incremental.deferred) == (defer > 0)
    if defer:
        probe.defer_below = 0.0
        before = full_runs[0]
        exact = _run(data, bodies, now, probe)
        assert full_runs[0] == before
        assert exact.recomputed == set(incremental.deferred)
        _assert_same(exact, full)
        return
    _assert_same(incremental, full)
    assert _dna_texts(incremental) == _dna_texts(full)
    # It changed something: an LR, or a pair gone (excluded by DNA now).
    moved = [
        body_id
        for body_id, x in full.bodies.items()
        if not np.array_equal(x.live, first.bodies[body_id].live)
        or not np.array_equal(x.live_lr, first.bodies[body_id].live_lr)
    ]
    assert moved
    assert incremental.recomputed and incremental.recomputed != set(first.bodies)
    assert set(moved) <= incremental.recomputed
    before = full_runs[0]
    again = _run(data, bodies, now, probe)
    assert full_runs[0] == before and again.recomputed == set()
    _assert_same(again, full)


def test_a_withdrawn_family_gives_a_full_computation(
    national_inputs: dict[str, Any], full_runs: list[int]
) -> None:
    """A family's references withdrawn: pairs that DNA excluded appear (the
    kept competition has no place for them), so the site is computed in
    full; the result equals a run without the cache."""
    inputs = national_inputs
    bodies, persons = list(inputs["bodies"]), list(inputs["person_inputs"])
    cache = SiteCache()
    first = _run(inputs, bodies, persons, cache)
    named = {pid for lead in inputs["leads"] for pid in lead.persons}
    excluded_by_dna = {
        pid
        for x in first.bodies.values()
        for pid, reasons in x.blocked_listed
        if any(r.get("kind") == "dna" for r in reasons)
    }
    j, p = next(
        (j, p)
        for j, p in enumerate(persons)
        if p.person_id in excluded_by_dna and p.person_id not in named
    )
    now = [*persons[:j], replace(p, family=None), *persons[j + 1 :]]
    before = full_runs[0]
    incremental = _run(inputs, bodies, now, cache)
    assert full_runs[0] == before + 1
    assert cache.full_reason == "new pair"
    _assert_same(incremental, _run(inputs, bodies, now))

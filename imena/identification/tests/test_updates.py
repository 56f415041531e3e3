"""Pending updates and the incremental update path (#13 items 3 and 4).

A change made through the services (a new report, a corrected post-mortem
record, a closed report, a DNA profile) writes ``PendingUpdate`` rows in its
own transaction; ``identification_update`` recomputes the touched sites (with
the worker's ``SiteCache``: only what changed) and the stored candidates equal
those of a full computation, on every database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.core.templatetags.numbers import decimals
from imena.exhumations.models import Body, PostMortemRecord
from imena.exhumations.services import pm_section_save
from imena.identification import selectors, services
from imena.identification.engine import SiteCache
from imena.identification.models import (
    BodyAnalysis,
    Candidate,
    CandidateRun,
    PendingKind,
    PendingUpdate,
)
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.missing.models import MissingPerson, Status
from imena.missing.services import missing_person_set_status, missing_person_update
from imena.missing.tests.factories import make_person
from imena.simulation.core import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(org: Organisation, tmp_path: Path) -> ScenarioContext:
    simulate(3, tmp_path / "sim", graves=40)
    context = ScenarioContext(directory=tmp_path / "sim", organisation=org, actor=None)
    load_scenario(context)
    return context


def _stored(run: CandidateRun) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    analyses = list(BodyAnalysis.objects.of_run(run))
    # One analysis per body: a run holds no two results of the same body.
    assert len({a.body_id for a in analyses}) == len(analyses)
    for a in analyses:
        out[("none", a.body_id)] = a.posterior_unlisted
        # (An analysis may be copied from the last run and its posteriors
        # written again: ``services._analyses_again``.)
        out[("others", a.body_id)] = a.others_posterior
        out[("analysis", a.body_id)] = (a.considered, a.method, a.exclusions)
    for c in Candidate.objects.of_run(run).select_related("analysis"):
        out[(c.analysis.body_id, c.person_id)] = (c.rank, c.posterior)
    return out


def _assert_same(a: CandidateRun, b: CandidateRun) -> None:
    x, y = _stored(a), _stored(b)
    assert x.keys() == y.keys()
    for key, value in x.items():
        if key[0] in ("none", "others"):
            assert value == pytest.approx(y[key], abs=1e-9)
        elif key[0] == "analysis":
            assert value == y[key], key
        else:
            assert value[0] == y[key][0]
            assert value[1] == pytest.approx(y[key][1], abs=1e-9)


def _worker_state(
    site: Site, org: Organisation
) -> tuple[dict[int, SiteCache], services.Register]:
    """The worker's state after a computation of ``site``."""
    caches: dict[int, SiteCache] = {site.pk: SiteCache()}
    register = services.Register()
    services.candidates_compute(
        actor=None, site=site, shared=register.refresh(org), cache=caches[site.pk]
    )
    return caches, register


def _measured(
    users: dict[str, Any], body: Body, low: int, high: int, reason: str
) -> None:
    """The body's stature measured again (a corrected PM record)."""
    pm_section_save(
        actor=users["forensic_examiner"],
        body=body,
        section="biological",
        data={"stature_min": low, "stature_max": high},
        reason=reason,
    )


def _site_update(
    org: Organisation,
    site: Site,
    caches: dict[int, SiteCache],
    register: services.Register,
) -> CandidateRun:
    """The worker's update; its run of ``site``."""
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    return run


def test_changes_are_pending_until_an_update_takes_them_into_account(
    loaded: ScenarioContext, org: Organisation, users: dict[str, Any], settings: Any
) -> None:
    # Exact updates (deferred bodies: the tests of ``identification_refresh``).
    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    site: Site = next(iter(loaded.sites.values()))
    caches: dict[int, SiteCache] = {site.pk: SiteCache()}
    services.candidates_compute(actor=None, site=site, cache=caches[site.pk])
    register = services.Register()
    register.refresh(org)
    assert selectors.pending_updates(site) == 0
    # A new report touches every site of the organisation ...
    new = make_person(org, family_name="Новенький", given_names="Петро")
    assert PendingUpdate.objects.filter(
        site=site, kind=PendingKind.PERSON, object_id=new.pk, done__isnull=True
    ).exists()
    # ... a corrected post-mortem record its body's site ...
    body = Body.objects.filter(grave__site=site).order_by("pk")[3]
    _measured(users, body, 150, 156, "measured again")
    assert PendingUpdate.objects.filter(
        site=site, kind=PendingKind.BODY, object_id=body.pk, done__isnull=True
    ).exists()
    # ... and so does a closed report; each change is recorded once.
    closed = MissingPerson.objects.filter(organisation=org).order_by("pk")[7]
    missing_person_set_status(
        actor=users["family_liaison"],
        person=closed,
        status=Status.CLOSED,
        reason="found",
    )
    make_person_again = PendingUpdate.objects.filter(object_id=new.pk).count()
    new.save()
    assert PendingUpdate.objects.filter(object_id=new.pk).count() == make_person_again
    pending = selectors.pending_updates(site)
    assert pending >= 3

    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert outcome.pending >= pending
    assert selectors.pending_updates(site) == 0
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    assert run.params["incremental"] is True
    assert run.params["pending_done"] == pending
    # Equal to a full computation from the database, without the cache.
    full, _ = services.candidates_compute(actor=None, site=site)
    _assert_same(run, full)
    assert not full.params["incremental"]
    # Nothing pending: nothing recomputed.
    assert services.identification_update(actor=None, organisation=org).runs == []
    # A corrected report whose pending rows a full computation of each site
    # marked done is still read again by the worker's register.
    person = MissingPerson.objects.filter(organisation=org).order_by("pk")[3]
    person.stature_cm = 150
    person.save()
    for s in loaded.sites.values():
        if Body.objects.filter(grave__site=s).exists():
            services.candidates_compute(actor=None, site=s)
    _measured(users, body, 160, 166, "measured a third time")
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = outcome.runs
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_a_run_holds_the_analyses_it_keeps_and_earlier_runs_stay_as_they_were(
    client: Any,
    loaded: ScenarioContext,
    org: Organisation,
    users: dict[str, Any],
    settings: Any,
) -> None:
    """An update refers to the analyses of the bodies it keeps instead of
    copying them (``BodyAnalysis.until``); each earlier run still reads as it
    was stored. After another process's computation the worker's last run
    is not the site's latest: it copies instead (nothing of the later run is
    held by its update)."""
    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    site: Site = next(iter(loaded.sites.values()))
    caches, register = _worker_state(site, org)
    first = selectors.latest_run(site)
    assert first is not None
    was = _stored(first)
    body = Body.objects.filter(grave__site=site).order_by("pk")[3]
    _measured(users, body, 150, 156, "measured again")
    second = _site_update(org, site, caches, register)
    rows = list(BodyAnalysis.objects.of_run(second))
    held = [a for a in rows if a.run_id == first.pk]
    own = [a for a in rows if a.run_id == second.pk]
    assert held and own and len(held) + len(own) == len(rows)
    assert body.pk in {a.body_id for a in own}
    assert second.params["bodies_copied"] >= len(held)
    # The first run's analyses that the second does not hold end with it.
    ended = BodyAnalysis.objects.filter(run=first).exclude(pk__in=[a.pk for a in held])
    assert ended.exists()
    assert set(ended.values_list("until", flat=True)) == {second.pk}
    assert {a.until_id for a in held} == {None}
    assert _stored(first) == was
    assert set(BodyAnalysis.objects.current().filter(site=site)) == set(rows)
    # A held body's page: the result of the first run, kept by the second
    # (whose persons it was weighed against).
    client.force_login(users["forensic_examiner"])
    page = client.get(reverse("identification:body_candidates", args=[held[0].body_id]))
    assert page.context["analysis"] == held[0] and page.context["run"] == second
    assert f"{second.person_count} open missing persons considered" in (
        page.content.decode()
    )
    full, _ = services.candidates_compute(actor=None, site=site)
    _assert_same(second, full)
    assert _stored(first) == was
    kept = _stored(second)
    # The full computation held nothing of the second run: the worker's next
    # update copies from its own last run, and holds nothing of ``full``.
    assert not BodyAnalysis.objects.current().filter(site=site).exclude(run=full)
    _measured(users, body, 160, 166, "measured a third time")
    third = _site_update(org, site, caches, register)
    assert third.params["bodies_copied"] > 0
    assert {a.run_id for a in BodyAnalysis.objects.of_run(third)} == {third.pk}
    # The copies refer to the listed exclusions of the analysis that stored
    # them (an earlier run's, of the same body) and store none.
    copies = list(
        BodyAnalysis.objects.filter(run=third, exclusions_of__isnull=False)
        .exclude(own_exclusions=[])
        .values_list("pk", flat=True)
    )
    assert copies == []
    referring = list(
        BodyAnalysis.objects.filter(run=third, exclusions_of__isnull=False)
        .select_related("exclusions_of")
        .order_by("body_id")
    )
    assert len(referring) >= third.params["bodies_copied"]
    for a in referring:
        source = a.exclusions_of
        assert source is not None
        assert source.run_id in (first.pk, second.pk, full.pk)
        assert (source.body_id, source.exclusions_of_id) == (a.body_id, None)
        assert a.exclusions == source.own_exclusions
    listing = next(a for a in referring if a.exclusions)
    page = client.get(reverse("identification:body_candidates", args=[listing.body_id]))
    assert page.context["analysis"] == listing
    assert listing.exclusions[0]["case_no"] in page.content.decode()
    # The reasons in the reader's language.
    reason = listing.exclusions[0]["reasons"][0]
    url = reverse("identification:body_candidates", args=[listing.body_id])
    uk = client.get(url, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("uk"):
        uk_reason = escape(decimals(reason["uk"]))
    assert uk_reason in uk and uk_reason not in en
    assert escape(reason["en"]) in en
    assert _stored(second) == kept and _stored(first) == was
    _assert_same(third, services.candidates_compute(actor=None, site=site)[0])


def _loop(org: Organisation, rounds: int, *extra: str, **streams: StringIO) -> None:
    """``imena identification update --loop``, ``rounds`` looks, no wait."""
    call_command(
        "identification",
        "update",
        "--organisation",
        org.code,
        "--loop",
        "--rounds",
        str(rounds),
        "--interval",
        "0",
        *extra,
        **streams,
    )


def test_update_without_a_cache_and_the_command(
    loaded: ScenarioContext, org: Organisation
) -> None:
    make_person(org, family_name="Новенький", given_names="Петро")
    out = StringIO()
    call_command("identification", "update", "--organisation", org.code, stdout=out)
    assert "pending changes:" in out.getvalue()
    for site in loaded.sites.values():
        if Body.objects.filter(grave__site=site).exists():
            assert selectors.pending_updates(site) == 0
    out = StringIO()
    _loop(org, 1, "--no-warm", stdout=out)
    assert out.getvalue() == ""
    out = StringIO()
    call_command("identification", "update", "--organisation", org.code, stdout=out)
    assert out.getvalue().strip() == "No pending changes."


def test_the_site_page_says_when_updates_are_pending(
    client: Any, users: dict[str, Any], org: Organisation, run: CandidateRun
) -> None:
    client.force_login(users["forensic_examiner"])
    url = reverse("identification:site_candidates", args=[run.site_id])
    assert "not in these candidates yet" not in client.get(url).content.decode()
    make_person(org, family_name="Новенький", given_names="Петро")
    page = client.get(url).content.decode()
    assert "1 change since then is not in these candidates yet" in page
    index = client.get(reverse("identification:index")).content.decode()
    assert "1 change pending" in index


def test_a_new_report_that_changes_nothing_at_a_site_makes_no_run(
    loaded: ScenarioContext,
    org: Organisation,
    coarse_register_grid: Callable[[], None],
) -> None:
    """A new report with an LR of 0 at every body of a site, no name on its
    journals and the register size on the same grid point changes nothing
    there: the worker marks the site's rows done without a run (decided with
    its cache). A later update that does compute the site equals a full
    computation."""
    coarse_register_grid()
    site: Site = next(iter(loaded.sites.values()))
    # Every body with an age range (a body of unknown age is not blocked).
    PostMortemRecord.objects.filter(
        body__grave__site=site, age_min__isnull=True
    ).update(age_min=18, age_max=70)
    caches: dict[int, SiteCache] = {site.pk: SiteCache()}
    first, _ = services.candidates_compute(actor=None, site=site, cache=caches[site.pk])
    register = services.Register()
    register.refresh(org)
    PendingUpdate.objects.update(done=first.created)
    # Born in 1900: more than 15 years older than any body's age range.
    make_person(
        org,
        family_name="Нікомутак",
        given_names="Никифор",
        birth_year=1900,
        last_seen_date=date(2022, 3, 1),
    )
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert outcome.untouched == [site.pk]
    assert [r for r in outcome.runs if r.site_id == site.pk] == []
    assert selectors.pending_updates(site) == 0
    # A report plausible at some bodies: the site is computed.
    make_person(org, family_name="Новенький", given_names="Петро", birth_year=1980)
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert outcome.untouched == []
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_the_worker_reads_again_only_what_the_changes_touch(
    loaded: ScenarioContext,
    org: Organisation,
    users: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker keeps each site's inputs (journal leads, bodies) between
    updates: a new report that no journal names reads no lead, a corrected
    PM record reads its body only; a report that a journal names reads the
    leads again; a computation by another process makes it read everything.
    Each update equals a full computation."""
    from imena.identification import adapters

    site: Site = next(iter(loaded.sites.values()))
    caches: dict[int, SiteCache] = {}
    register = services.Register()
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    for s in loaded.sites.values():
        if Body.objects.filter(grave__site=s).exists():
            services.candidates_compute(
                actor=None,
                site=s,
                shared=register.refresh(org),
                cache=caches.setdefault(s.pk, SiteCache()),
            )
    reads: list[tuple[str, Any]] = []
    lead_inputs, body_inputs = adapters.lead_inputs, adapters.body_inputs

    def leads(site: Any, index: Any, *run: Any) -> Any:
        reads.append(("leads", site.pk))
        return lead_inputs(site, index, *run)

    def bodies(site: Any, only: Any = None) -> Any:
        reads.append(("bodies", None if only is None else set(only)))
        return body_inputs(site, only)

    monkeypatch.setattr(adapters, "lead_inputs", leads)
    monkeypatch.setattr(adapters, "body_inputs", bodies)

    def update() -> CandidateRun:
        reads.clear()
        outcome = services.identification_update(
            actor=None, organisation=org, caches=caches, register=register
        )
        (run,) = [r for r in outcome.runs if r.site_id == site.pk]
        return run

    # A new report no journal names, and a corrected PM record.
    make_person(org, family_name="Новенький", given_names="Петро", birth_year=1980)
    body = Body.objects.filter(grave__site=site).order_by("pk")[3]
    _measured(users, body, 150, 156, "measured again")
    run = update()
    assert ("leads", site.pk) not in reads
    assert ("bodies", {body.pk}) in reads
    assert ("bodies", None) not in reads
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])
    # The full computation above was another process's: everything is read.
    make_person(org, family_name="Новенький", given_names="Іван", birth_year=1981)
    run = update()
    assert ("leads", site.pk) in reads and ("bodies", None) in reads
    # A report with the name a journal of the site gives: the leads again.
    _run, names = adapters.lead_names(site)
    surname, given, patronymic, years = names[0]
    make_person(
        org,
        family_name=surname.capitalize(),
        given_names=given.capitalize(),
        patronymic=patronymic.capitalize(),
        birth_year=min(years) if years else None,
    )
    run = update()
    assert ("leads", site.pk) in reads
    assert ("bodies", None) not in reads
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_a_new_report_below_the_bound_is_held_until_the_refresh(
    loaded: ScenarioContext,
    org: Organisation,
    users: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    """``IMENA_UPDATE_DEFER_BELOW``: a new report that moves every body of a
    site by less than the bound makes no run there; its rows stay open (the
    site's pages say a change is not in the candidates yet), every stored
    posterior is within the bound of the exact one, and the next update
    does not take the rows again. The idle worker's refresh stores the
    exact result (equal to a full computation) and marks the rows done."""
    from dataclasses import replace

    from imena.identification import engine

    site_params = services.site_params

    def coarse(*args: Any, **kwargs: Any) -> Any:
        # Coarse grids: in this small register one more report would
        # otherwise move the register size and most competition weights.
        params, basis = site_params(*args, **kwargs)
        return replace(params, register_grid=2, competition_grid=2), basis

    monkeypatch.setattr(services, "site_params", coarse)
    settings.IMENA_UPDATE_DEFER_BELOW = 0.5
    # (Bounds this large would reach the work lists' 0.99 from most strong
    # candidates: no decision threshold here.)
    monkeypatch.setattr(services, "_decision_thresholds", lambda: ())
    site: Site = next(iter(loaded.sites.values()))
    # Every body with an age range (a body of unknown age is not blocked).
    PostMortemRecord.objects.filter(
        body__grave__site=site, age_min__isnull=True
    ).update(age_min=18, age_max=70)
    register = services.Register()
    caches: dict[int, SiteCache] = {site.pk: SiteCache()}
    first, _ = services.candidates_compute(
        actor=None, site=site, shared=register.refresh(org), cache=caches[site.pk]
    )
    PendingUpdate.objects.update(done=first.created)
    make_person(org, family_name="Новенький", given_names="Петро", birth_year=1980)
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert outcome.deferred == [site.pk]
    assert [r for r in outcome.runs if r.site_id == site.pk] == []
    deferred = dict(caches[site.pk].deferred)
    assert deferred and outcome.deferred_bodies == len(deferred)
    assert max(deferred.values()) < 0.5
    assert selectors.pending_updates(site) == 1
    # The stored result is within each body's bound of the exact one.
    data = services.site_inputs(site)
    exact = engine.compute_site(
        data["bodies"],
        data["person_inputs"],
        data["leads"],
        coarse(site, data["counts"], None)[0],
        overrides=data["overrides"],
        n_graves=data["n_graves"],
        grave_numbers=data["grave_numbers"],
    )
    stored = _stored(first)
    for body_id, x in exact.bodies.items():
        bound = deferred.get(body_id, 1e-9)
        assert abs(stored[("none", int(body_id))] - x.posterior.posterior_unlisted) <= (
            bound + 1e-12
        )
        for c in x.posterior.candidates:
            if c.posterior > bound:
                assert stored[(int(body_id), int(c.person_id))][1] == pytest.approx(
                    c.posterior, abs=bound + 1e-12
                )
    # Held: the next update has nothing new.
    again = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert again.pending == 0 and again.runs == []
    refreshed = services.identification_refresh(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = refreshed.runs
    assert caches[site.pk].deferred == {} and caches[site.pk].held == []
    assert selectors.pending_updates(site) == 0
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])
    # Nothing left to refresh.
    assert (
        services.identification_refresh(
            actor=None, organisation=org, caches=caches, register=register
        ).runs
        == []
    )
    # A corrected report that no body of the site shows (no candidate, no
    # listed exclusion, no journal lead): held too, then refreshed.
    # (Born in 1900: blocked at every body with an age range; no blocked
    # report listed, as at the register's size, where each body lists its
    # first 200 of thousands.)
    monkeypatch.setattr(engine, "EXCLUSIONS_LISTED", 0)
    person = make_person(
        org,
        family_name="Нікомутак",
        given_names="Никифор",
        birth_year=1900,
        last_seen_date=date(2022, 3, 1),
    )
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    services.identification_refresh(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert selectors.pending_updates(site) == 0
    assert not Candidate.objects.filter(
        analysis__run=selectors.latest_run(site), person=person
    ).exists()
    missing_person_update(
        actor=users["forensic_examiner"],
        person=person,
        reason="test",
        birth_year=1901,
    )
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert outcome.deferred == [site.pk] and outcome.runs == []
    assert str(person.pk) in caches[site.pk].changed_held
    assert selectors.pending_updates(site) >= 1
    (run,) = services.identification_refresh(
        actor=None, organisation=org, caches=caches, register=register
    ).runs
    assert caches[site.pk].changed_held == {} and caches[site.pk].deferred == {}
    assert selectors.pending_updates(site) == 0
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_a_new_case_number_reaches_the_exclusions_of_a_body_computed_again(
    loaded: ScenarioContext, org: Organisation, users: dict[str, Any], settings: Any
) -> None:
    """A body computed again whose exclusions are the last run's has its
    analysis copied by the database (``services._analyses_again``), but not
    when a report it lists changed its case number since."""
    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    site: Site = next(iter(loaded.sites.values()))
    caches, register = _worker_state(site, org)
    analysis = (
        BodyAnalysis.objects.filter(run__site=site)
        .exclude(own_exclusions=[])
        .order_by("body_id")
        .first()
    )
    assert analysis is not None
    listed = analysis.exclusions[0]
    person = MissingPerson.objects.get(pk=listed["person"])
    person.case_no = f"{person.case_no}-NEW"
    person.save()
    pm_section_save(
        actor=users["forensic_examiner"],
        body=analysis.body,
        section="biological",
        data={"stature_min": 150, "stature_max": 151},
        reason="measured again",
    )
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    stored = BodyAnalysis.objects.get(run=run, body=analysis.body).exclusions
    assert {e["case_no"] for e in stored if e["person"] == listed["person"]} == {
        person.case_no
    }
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_a_corrected_pm_record_defers_bodies_only_reweighted_until_the_refresh(
    loaded: ScenarioContext, org: Organisation, users: dict[str, Any], settings: Any
) -> None:
    """The run of a corrected PM record (with a new and a closed report)
    leaves the bodies it moves only by
    their weights, by less than ``IMENA_UPDATE_DEFER_BELOW``, with their last
    result (``engine._moved_bound``): the run is stored, its pending row
    stays open; the idle worker's refresh computes them and equals a full
    computation."""
    settings.IMENA_UPDATE_DEFER_BELOW = 0.05
    site: Site = next(iter(loaded.sites.values()))
    caches, register = _worker_state(site, org)
    body = Body.objects.filter(grave__site=site).order_by("pk")[5]
    _measured(users, body, 140, 142, "measured again")
    # ... a new report and a report closed: the persons competing with them
    # move.
    make_person(org, family_name="Новенький", given_names="Петро")
    closed = MissingPerson.objects.filter(organisation=org).order_by("pk")[7]
    missing_person_set_status(
        actor=users["family_liaison"], person=closed, status=Status.CLOSED, reason="x"
    )
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    assert run.params.get("deferred"), "no body deferred: the test shows nothing"
    assert outcome.deferred_bodies == run.params["deferred"]
    assert selectors.pending_updates(site) == 3
    # The next update takes nothing; the refresh computes the deferred bodies.
    assert (
        services.identification_update(
            actor=None, organisation=org, caches=caches, register=register
        ).runs
        == []
    )
    refreshed = services.identification_refresh(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = refreshed.runs
    assert not caches[site.pk].deferred
    assert selectors.pending_updates(site) == 0
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_a_replaced_reference_profile_extends_the_last_run(
    loaded: ScenarioContext, org: Organisation, settings: Any, full_runs: list[int]
) -> None:
    """A family's reference profile replaced (one allele read again): the
    worker's run of the site extends its last run (``engine._family_change``:
    no full computation of the site, ``SiteCache.full_reason`` empty),
    computes again only bodies the family reaches or shows, and stores what
    a full computation stores."""
    from imena.dna.models import ProfileKind
    from imena.missing.models import ReferenceSample

    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    site: Site = next(iter(loaded.sites.values()))
    caches, register = _worker_state(site, org)
    cache = caches[site.pk]
    pids = cache.person_ids_last
    # The reports with an LR above 0 at a body with a DNA profile.
    reach = {
        pids[j]
        for body_id, last in cache.last.items()
        if body_id in cache.dna_bodies
        for j in last.live.tolist()
    }
    sample = next(
        s
        for s in ReferenceSample.objects.filter(organisation=org, profile__isnull=False)
        .select_related("profile", "member")
        .order_by("sample_id")
        if s.consent_active
        and str(s.member.person_id) in reach
        # (not one a journal names: that site is computed in full)
        and str(s.member.person_id) not in cache.site.placed
    )
    assert sample.profile is not None
    genotypes = {k: list(v) for k, v in sample.profile.genotypes.items()}
    locus = sorted(genotypes)[0]
    genotypes[locus][0] = str(int(float(genotypes[locus][0])) + 1)
    services.dna_profiles_upload(
        actor=None,  # type: ignore[arg-type]
        organisation=org,
        kind=ProfileKind.REFERENCE,
        profiles={sample.sample_id: {"sex": 0, "genotypes": genotypes}},
        source_format="test",
        source_sha256="0" * 64,
    )
    before = full_runs[0]
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    (run,) = [r for r in outcome.runs if r.site_id == site.pk]
    assert (full_runs[0] - before, cache.full_reason) == (0, "")
    assert run.params["incremental"]
    assert 0 < run.params["bodies_copied"] < len(cache.last)
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])


def test_the_worker_keeps_what_only_a_change_of_the_site_changes(
    loaded: ScenarioContext,
    org: Organisation,
    users: dict[str, Any],
) -> None:
    """The worker keeps a site's count of graves, reconciliation run (and its
    counts of conflicts), lineage tables and exclusion overrides between
    updates: a new report reads none of them again. An override's change
    (its body's row), a new grave and a new reconciliation run (the site's
    row) are taken into account: each update equals a full computation."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from imena.burials.services import grave_create
    from imena.journals.services import reconcile_site

    site: Site = next(iter(loaded.sites.values()))
    caches, register = _worker_state(site, org)
    make_person(org, family_name="Новенький", given_names="Петро", birth_year=1980)
    with CaptureQueriesContext(connection) as queries:
        run = _site_update(org, site, caches, register)
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    for table in (
        "journals_personcluster",
        "journals_reviewitem",
        "dna_lineagetable",
        "identification_exclusionoverride",
        'COUNT(*) AS "__count" FROM "burials_grave"',
    ):
        assert table not in sql
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])

    # An override of an exclusion at a body (the worker's state anew: the
    # full computation above was another process's).
    caches, register = _worker_state(site, org)
    analysis = (
        BodyAnalysis.objects.of_run(run)
        .filter(own_exclusions__0__isnull=False)
        .order_by("body_id")
        .first()
    )
    assert analysis is not None
    excluded = analysis.exclusions[0]
    key = excluded["reasons"][0]["key"]
    services.exclusion_override_create(
        actor=users["forensic_examiner"],
        body=Body.objects.get(pk=analysis.body_id),
        person=MissingPerson.objects.get(pk=excluded["person"]),
        key=key,
        reason="read again",
    )
    run = _site_update(org, site, caches, register)
    after = BodyAnalysis.objects.of_run(run).get(body_id=analysis.body_id)
    assert all(
        r["key"] != key
        for e in after.exclusions
        if e["person"] == excluded["person"]
        for r in e["reasons"]
    )
    _assert_same(run, services.candidates_compute(actor=None, site=site)[0])

    # A new grave (the count of graves), then a new reconciliation run.
    caches, register = _worker_state(site, org)
    grave_create(actor=None, site=site, marker_text="999")
    run = _site_update(org, site, caches, register)
    full = services.candidates_compute(actor=None, site=site)[0]
    _assert_same(run, full)
    assert run.p_unlisted == full.p_unlisted
    caches, register = _worker_state(site, org)
    recon = reconcile_site(actor=None, site=site)
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    # (The same journals give the same leads: the site's last run may stay.)
    assert caches[site.pk].extra["reconcile_counts"][0] == recon.pk
    latest = CandidateRun.objects.filter(site=site).order_by("-pk").first()
    assert latest is not None
    full = services.candidates_compute(actor=None, site=site)[0]
    _assert_same(latest, full)
    assert latest.reliability == full.reliability


def test_the_worker_loop_starts_again_with_no_state_after_a_database_error(
    loaded: ScenarioContext, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error in ``--loop`` (a server restarted, SQLite busy past its
    timeout) is one line on stderr; the worker drops its caches and register
    (a cache may hold a run that was not stored) and takes the changes at the
    next look. Without ``--loop`` the error still ends the command."""
    from django.db import OperationalError

    from imena.identification.management.commands import identification as command

    real = command.identification_update
    seen: list[tuple[Any, Any]] = []

    def failing_once(**kwargs: Any) -> Any:
        seen.append((kwargs["caches"], kwargs["register"]))
        if len(seen) == 1:
            if kwargs["caches"] is not None:
                kwargs["caches"][0] = SiteCache()  # (state the error must drop)
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(command, "identification_update", failing_once)
    make_person(org, family_name="Новенький", given_names="Петро")
    out, err = StringIO(), StringIO()
    _loop(org, 2, stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        f"identification worker: organisation {org.code}, looking for pending "
        "changes every 0 s",
        "database error: server closed the connection unexpectedly; the worker "
        "starts again with no state in 0 s",
    ]
    (caches1, register1), (caches2, register2) = seen
    assert caches2 is not caches1 and 0 not in caches2
    assert register2 is not register1
    assert "pending changes:" in out.getvalue()
    for site in loaded.sites.values():
        if Body.objects.filter(grave__site=site).exists():
            assert selectors.pending_updates(site) == 0

    seen.clear()
    make_person(org, family_name="Ще", given_names="Один")
    with pytest.raises(OperationalError):
        call_command("identification", "update", "--organisation", org.code)

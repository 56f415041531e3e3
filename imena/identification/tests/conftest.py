from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from imena.burials.models import Site
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services as exh
from imena.exhumations.models import Body, PostMortemRecord
from imena.identification import engine, services
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.missing.tests.factories import make_person
from imena.simulation.core import simulate


@pytest.fixture
def sites(org: Any, tmp_path: Path) -> list[Site]:
    """A small national scenario's three sites with bodies (36 bodies, 150
    reports), loaded without a computation."""
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


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of full computations of a site so far (``engine.
    _compute_site``, counted in ``[0]``): a run that extends the last one
    (``engine._appended_run``) adds none."""
    count = [0]
    compute = engine._compute_site

    def counting(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return compute(*args, **kwargs)

    monkeypatch.setattr(engine, "_compute_site", counting)
    return count


@pytest.fixture
def coarse_register_grid(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make ``services.site_params`` use a register grid of 2.

    A small register's size is exact below 256 with the default grid, so one
    more report would move every prior; on a grid of 2 it stays on its grid
    point. A function rather than a fixture that patches at once, so a test can
    load its scenario first.
    """

    def apply() -> None:
        site_params = services.site_params

        def coarse(*args: Any, **kwargs: Any) -> Any:
            params, basis = site_params(*args, **kwargs)
            return replace(params, register_grid=2), basis

        monkeypatch.setattr(services, "site_params", coarse)

    return apply


@pytest.fixture
def site(org):
    return SiteFactory(organisation=org, code="izm", name="Лісове кладовище")


@pytest.fixture
def body(site, users):
    grave = GraveFactory(site=site, marker_text="№ 12", bodies_expected=1)
    ex = exh.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0001"],
    )
    b = ex.bodies.get()
    PostMortemRecord.objects.filter(body=b).update(
        sex="male", age_min=40, age_max=55, stature_min=172, stature_max=180
    )
    return b


@pytest.fixture
def persons(org):
    return [
        make_person(
            org,
            family_name="Шевченко",
            given_names="Олександр",
            birth_year=1975,
            stature_cm=176,
            last_seen_date=dt.date(2022, 3, 20),
        ),
        make_person(
            org,
            family_name="Коваленко",
            given_names="Марія",
            sex="female",
            patronymic="Іванівна",
            birth_year=1980,
            last_seen_date=dt.date(2022, 3, 20),
        ),
    ]


@pytest.fixture
def run(site, body, persons, users):
    run, _result = services.candidates_compute(
        actor=users["forensic_examiner"], site=site
    )
    return run


@pytest.fixture
def candidate(run):
    return run.analyses.get().candidates.order_by("rank").first()


@pytest.fixture
def scenario_site(org: Any, tmp_path: Path) -> Any:
    """The site of a small simulated scenario (seed 3, 40 graves), loaded."""
    simulate(3, tmp_path / "sim", graves=40)
    context = ScenarioContext(directory=tmp_path / "sim", organisation=org, actor=None)
    load_scenario(context)
    return next(iter(context.sites.values()))

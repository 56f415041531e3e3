from __future__ import annotations

import datetime as dt

import pytest

from imena.burials.models import GraveKind
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services


@pytest.fixture
def site(org):
    return SiteFactory(organisation=org, code="izm", name="Лісове кладовище")


@pytest.fixture
def grave(site):
    return GraveFactory(site=site, marker_text="№ 12а", bodies_expected=1)


@pytest.fixture
def mass_grave(site):
    return GraveFactory(
        site=site, marker_text="БН", kind=GraveKind.MASS, bodies_expected=3
    )


@pytest.fixture
def recorder(users):
    return users["field_recorder"]


@pytest.fixture
def exhumation(grave, recorder):
    return services.exhumation_create(
        actor=recorder,
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Записувачка\nЕксперт",
        pm_numbers=["IZM-PM-0001"],
    )


@pytest.fixture
def body(exhumation):
    return exhumation.bodies.get()


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT

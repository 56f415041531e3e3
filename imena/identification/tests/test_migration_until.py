"""Migration 0011: the analyses stored before it, each one run's own copy,
are held until the next run of their site (#13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("identification", "0010_exclusion_override_withdrawal")]
AFTER = [("identification", "0011_analysis_held_until")]


@pytest.fixture
def latest_afterwards() -> Iterator[None]:
    """The database migrated to the latest migrations after the test (the
    others, and the server the serve tests start, expect every one)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("latest_afterwards")
def test_each_stored_analysis_is_held_until_its_sites_next_run() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organisation = apps.get_model("accounts", "Organisation")
    Site = apps.get_model("burials", "Site")
    Grave = apps.get_model("burials", "Grave")
    Exhumation = apps.get_model("exhumations", "Exhumation")
    Body = apps.get_model("exhumations", "Body")
    Run = apps.get_model("identification", "CandidateRun")
    Analysis = apps.get_model("identification", "BodyAnalysis")
    org = Organisation.objects.create(name="Test", code="test-migration")
    a, b = (Site.objects.create(organisation=org, name=n, code=n) for n in ("A", "B"))
    bodies = {}
    for site in (a, b):
        grave = Grave.objects.create(site=site, number=1, marker_text="1")
        dig = Exhumation.objects.create(
            organisation=org, grave=grave, date=dt.date(2022, 9, 16)
        )
        bodies[site.pk] = Body.objects.create(
            organisation=org, grave=grave, exhumation=dig, pm_number=f"PM-{site.name}"
        )
    # Runs of the two sites, interleaved: A1, B1, A2, A3.
    runs = [Run.objects.create(site=s, p_unlisted=0.1) for s in (a, b, a, a)]
    for run in runs:
        Analysis.objects.create(
            run=run, body=bodies[run.site_id], posterior_unlisted=0.5
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Analysis = apps.get_model("identification", "BodyAnalysis")
    got = {
        run: (site, until)
        for run, site, until in Analysis.objects.values_list(
            "run_id", "site_id", "until_id"
        )
    }
    a1, b1, a2, a3 = (r.pk for r in runs)
    assert got == {
        a1: (a.pk, a2),
        b1: (b.pk, None),
        a2: (a.pk, a3),
        a3: (a.pk, None),
    }

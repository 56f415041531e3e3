"""The national scenario at small scale loads through the bulk paths (#13)."""

from __future__ import annotations

import json

import pytest

from imena.audit.models import AuditEntry
from imena.audit.services import audit_batch_check, audit_verify
from imena.burials.models import Site
from imena.demo.services import demo_load
from imena.dna.models import DNAProfile
from imena.exhumations.models import Body
from imena.identification.models import ScreeningRun
from imena.journals.models import JournalRow
from imena.missing.models import MissingPerson, ReferenceSample
from imena.simulation import simulate


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    simulate(seed=5, out=out, sites=2, bodies=60, missing=300)
    return out


@pytest.mark.django_db
def test_a_small_national_scenario_loads(national) -> None:

    result = demo_load(scenario_dir=national, compute=False)
    truth = json.loads((national / "truth.json").read_text())
    assert Site.objects.count() == 2
    assert Body.objects.count() == len(truth["bodies"]) == 60
    assert MissingPerson.objects.count() == len(truth["reports"]) == 300
    refs = truth["national"]["reference_profiles"]
    assert ReferenceSample.objects.count() == refs
    assert DNAProfile.objects.filter(kind="reference").count() == refs
    assert JournalRow.objects.count() == len(truth["journal_rows"])
    assert result.summary["journal rows"] == len(truth["journal_rows"])
    # Reported twice: the duplicate names the first report's organisation.
    described = MissingPerson.objects.filter(description__startswith="Reported by:")
    assert described.count() == 300
    # Data only: no screening, no candidate lists.
    assert "dna_screenings" not in result.summary
    # Every bulk batch is in the chain with each record's SHA-256.
    assert audit_verify().ok
    batches = AuditEntry.objects.filter(after__contains='"records"')
    assert batches.exists()
    for entry in batches:
        assert audit_batch_check(entry) == [], entry.action


@pytest.mark.django_db
def test_a_computed_national_scenario_has_one_national_screening(national) -> None:
    result = demo_load(scenario_dir=national, compute=True)
    assert result.summary["dna_screenings"] == 1
    run = ScreeningRun.objects.get()
    assert run.national and run.site is None
    assert run.candidates == result.summary["dna_candidates"] > 0
    assert run.bodies > 30

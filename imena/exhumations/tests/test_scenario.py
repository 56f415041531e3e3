from __future__ import annotations

import json

import pytest

from imena.audit.models import AuditEntry
from imena.burials import scenario as burials_scenario
from imena.burials.models import GraveStatus
from imena.exhumations import scenario
from imena.exhumations.models import Body, Exhumation, Sample
from imena.exhumations.services import pm_record_as_dict
from imena.lib.scenario import ScenarioContext
from imena.simulation import simulate
from matching.records import PMRecord


@pytest.mark.django_db
def test_the_scenario_loads_exhumations_bodies_records_and_samples(
    tmp_path, org, examiner
) -> None:

    simulate(seed=1, out=tmp_path, graves=30)
    findings = json.loads((tmp_path / "pm/findings.json").read_text())["findings"]
    # Only this app's part (and the graves it needs): other apps' loaders are
    # tested by their own apps.
    context = ScenarioContext(directory=tmp_path, organisation=org, actor=examiner)
    burials_scenario.load_scenario(context)
    scenario.load_scenario(context)
    assert context.summary["bodies"] == len(findings) == Body.objects.count()
    assert Exhumation.objects.count() == len({f["grave_id"] for f in findings})
    assert Sample.objects.count() == len(findings)
    assert Sample.objects.filter(profile__isnull=False).exists()
    body = Body.objects.get(pm_number=findings[0]["pm_case_no"])
    assert body.grave.status == GraveStatus.AT_MORGUE
    assert body.pm.age_min == findings[0]["age_min"]
    assert body.teeth.count() == len(findings[0]["dental"]["chart"])
    PMRecord.from_dict(pm_record_as_dict(body))
    assert AuditEntry.objects.filter(action="scenario.load_postmortem").count() == 1

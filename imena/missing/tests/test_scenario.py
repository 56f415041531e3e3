from __future__ import annotations

import json

import pytest

from imena.accounts.models import Role
from imena.audit.models import AuditEntry
from imena.dna.models import DNAProfile
from imena.lib.scenario import ScenarioContext
from imena.missing.models import MissingPerson, PedigreeMember, ReferenceSample
from imena.missing.records import family_as_case_dict
from imena.missing.scenario import load_scenario
from kinship.case import case_from_dict


@pytest.mark.django_db
def test_the_simulators_reports_and_references_load(org, users, scenario_dir) -> None:
    ctx = ScenarioContext(
        directory=scenario_dir,
        organisation=org,
        actor=users[Role.FORENSIC_EXAMINER],
        users={"liaison": users[Role.FAMILY_LIAISON]},
    )

    reports = json.loads((scenario_dir / "missing/reports.json").read_text())["reports"]
    case = json.loads((scenario_dir / "dna/case.json").read_text())
    load_scenario(ctx)
    assert MissingPerson.objects.filter(organisation=org).count() == len(reports)
    typed = sum(1 for f in case["am"].values() for g in f["genotypes"].values() if g)
    assert ReferenceSample.objects.filter(organisation=org).count() == typed
    assert (
        DNAProfile.objects.filter(organisation=org, kind="reference").count() == typed
    )
    assert ctx.summary["missing_reports"] == len(reports)
    # One audit entry per bulk load, not one per record.
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("scenario.load_missing") == 1
    assert actions.count("scenario.load_references") == 1
    assert "dna.profile.create" not in actions
    # A family converts back to the kinship case format, with the same pedigree.
    family_id, fam = next(iter(case["am"].items()))
    person = PedigreeMember.objects.get(
        person__organisation=org, member_id=fam["id"][0]
    ).person
    out = family_as_case_dict(person)
    assert sorted(out["id"]) == sorted(fam["id"])
    assert set(out["genotypes"]) == {k for k, v in fam["genotypes"].items() if v}
    mapping = dict(zip(out["id"], out["fid"], strict=True))
    assert mapping == dict(zip(fam["id"], fam["fid"], strict=True))
    markers = case["markers"]
    parsed = case_from_dict(
        {
            "markers": markers,
            "pm": {},
            "am": {family_id: out},
            "missing": [out["missing"]],
        }
    )
    assert parsed.families[family_id].pedigree.ids


@pytest.mark.django_db
def test_person_page_shows_the_pedigree_drawing(
    client, org, users, scenario_dir
) -> None:
    ctx = ScenarioContext(
        directory=scenario_dir,
        organisation=org,
        actor=None,
        users={"liaison": users[Role.FAMILY_LIAISON]},
    )
    load_scenario(ctx)
    person = ReferenceSample.objects.filter(organisation=org).first().member.person  # type: ignore[union-attr]
    client.force_login(users[Role.FAMILY_LIAISON])
    body = client.get(person.get_absolute_url()).content.decode()
    assert "<svg" in body and 'class="member missing"' in body
    assert "typed" in body


@pytest.mark.django_db
def test_some_demo_families_consent_to_publication(org, users, scenario_dir) -> None:
    """Without any publication consent the demo's family search and PFIF export
    would be empty; one report in three consents, the same ones every time."""
    from imena.missing.scenario import publication_consent

    ctx = ScenarioContext(
        directory=scenario_dir,
        organisation=org,
        actor=users[Role.FORENSIC_EXAMINER],
        users={"liaison": users[Role.FAMILY_LIAISON]},
    )
    reports = json.loads((scenario_dir / "missing/reports.json").read_text())["reports"]
    load_scenario(ctx)
    consenting = MissingPerson.objects.filter(
        organisation=org, consent_publication=True
    )
    expected = {r["am_case_no"] for r in reports if publication_consent(r)}
    assert set(consenting.values_list("case_no", flat=True)) == expected
    assert 0 < len(expected) < len(reports)
    assert (
        publication_consent({"am_case_no": "X", "consent_publication": False}) is False
    )

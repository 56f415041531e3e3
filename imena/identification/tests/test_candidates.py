from __future__ import annotations

import pytest

from imena.identification import services
from imena.identification.models import BodyAnalysis

pytestmark = pytest.mark.django_db


def test_every_open_person_is_considered_and_exclusions_keep_reasons(run, persons):
    analysis = BodyAnalysis.objects.get(run=run)
    assert analysis.considered == 2
    listed = {c.person_id for c in analysis.candidates.all()}
    excluded = {int(e["person"]) for e in analysis.exclusions}
    # the woman is excluded by sex (body is male), with the reason kept
    assert persons[1].pk in excluded
    assert any(r["key"] == "sex" for e in analysis.exclusions for r in e["reasons"])
    assert persons[0].pk in listed


def test_posteriors_and_none_of_these_sum_to_one(run):
    analysis = BodyAnalysis.objects.get(run=run)
    total = sum(c.posterior for c in analysis.candidates.all())
    total += analysis.posterior_unlisted + analysis.others_posterior
    assert total == pytest.approx(1.0, abs=1e-6)


def test_explanation_page_and_json_show_evidence(client, candidate, users):
    client.force_login(users["forensic_examiner"])
    page = client.get(candidate.get_absolute_url())
    assert page.status_code == 200
    assert "physical" in page.content.decode()
    data = client.get(candidate.get_absolute_url() + "?format=json").json()
    assert {e["kind"] for e in data["evidence"]} == {"journal", "physical", "dna"}
    assert 0 <= data["posterior"] <= 1
    assert data["prior"] > 0
    assert "suggestions" in data
    same = client.get(f"/identification/candidates/{candidate.pk}/explain.json").json()
    assert same["posterior"] == data["posterior"]


def test_override_needs_a_reason_and_is_used_next_time(
    client, run, body, persons, users
):

    with pytest.raises(Exception):  # noqa: B017
        services.exclusion_override_create(
            actor=users["forensic_examiner"],
            body=body,
            person=persons[1],
            key="sex",
            reason=" ",
        )
    services.exclusion_override_create(
        actor=users["forensic_examiner"],
        body=body,
        person=persons[1],
        key="sex",
        reason="sex estimate unreliable (burnt)",
    )
    run2, _ = services.candidates_compute(
        actor=users["forensic_examiner"], site=body.grave.site
    )
    a = BodyAnalysis.objects.get(run=run2)
    assert persons[1].pk not in {int(e["person"]) for e in a.exclusions}


def test_grave_panel_lists_candidates(client, run, body, users):
    client.force_login(users["investigator"])
    html = client.get(body.grave.get_absolute_url()).content.decode()
    assert "IZM-PM-0001" in html

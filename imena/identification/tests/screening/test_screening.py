"""Screening a site: candidates, per-marker LRs, joint result, permissions."""

from __future__ import annotations

import io
import json
import math

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from imena.identification.models import ScreeningCandidate, ScreeningRun
from imena.identification.screening_views import BODIES_PER_PAGE
from imena.identification.selectors import dna_lrs_for_site
from imena.identification.services import screening_run, screening_run_national

pytestmark = pytest.mark.django_db


def test_screening_puts_each_true_family_first(small_case, site, analyst) -> None:
    run = screening_run(actor=analyst, site=site, top_k=2)
    assert run.bodies == 4 and run.missing_persons == 4 and run.pairs == 16
    for body_id, person_id in small_case["truth"].items():
        best = ScreeningCandidate.objects.get(run=run, body_id=body_id, rank=1)
        assert best.person_id == person_id
        assert best.lr >= 1e3 and best.inconsistent == 0
        assert set(best.per_marker) >= {"D3S1358", "TH01"}


def test_per_marker_lrs_multiply_to_the_lr(small_case, site, analyst) -> None:

    run = screening_run(actor=analyst, site=site)
    c = run.candidate_rows.filter(inconsistent=0).first()
    product = math.prod(v for v in c.per_marker.values() if v is not None)  # type: ignore[union-attr]
    assert product == pytest.approx(c.lr, rel=1e-6)  # type: ignore[union-attr]


def test_an_unrelated_pair_shows_its_inconsistent_loci(small_case, site, analyst):
    run = screening_run(actor=analyst, site=site, top_k=4)
    bad = run.candidate_rows.filter(inconsistent__gt=0)
    assert bad.exists()
    for c in bad:
        assert c.lr == 0
        assert sum(1 for v in c.per_marker.values() if v == 0) == c.inconsistent


def test_screening_without_pm_profiles_says_so(site, analyst) -> None:
    with pytest.raises(ValidationError, match="No post-mortem profiles yet"):
        screening_run(actor=analyst, site=site)
    assert not ScreeningRun.objects.exists()


def test_bad_parameters_are_refused(small_case, site, analyst) -> None:
    with pytest.raises(ValidationError):
        screening_run(actor=analyst, site=site, dropout=1.5)
    with pytest.raises(ValidationError):
        screening_run(actor=analyst, site=site, mutation="random")


def test_a_mutation_model_runs(small_case, site, analyst) -> None:
    run = screening_run(actor=analyst, site=site, mutation="equal", mutation_rate=0.002)
    assert run.mutation == "equal" and run.candidates > 0


def test_the_selector_gives_identification_the_lrs(small_case, site, analyst) -> None:
    screening_run(actor=analyst, site=site)
    lrs = dna_lrs_for_site(site)
    for body_id, person_id in small_case["truth"].items():
        entry = lrs[(body_id, person_id)]
        assert entry["lr"] > 1 and entry["inconsistent"] == 0 and entry["per_marker"]


def test_the_analyst_runs_a_screening_in_the_browser_flow(
    client, small_case, site, analyst
) -> None:
    client.force_login(analyst)
    assert client.get(reverse("dna:index")).status_code == 200
    page = client.get(reverse("dna:screening_start", args=[site.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("dna:screening_start", args=[site.pk]),
        {"threshold": "10000", "top_k": "3", "dropout": "0", "theta": "0",
         "mutation": "none", "mutation_rate": "0"},
    )  # fmt: skip
    run = ScreeningRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200
    assert "IZM-PM-0001" in page.content.decode()
    c = run.candidate_rows.get(body=small_case["bodies"][0], rank=1)
    part = client.get(
        reverse("dna:candidate_detail", args=[c.pk]), HTTP_HX_REQUEST="true"
    )
    assert part.status_code == 200
    assert "D3S1358" in part.content.decode()
    assert "<html" not in part.content.decode()


def test_the_screening_page_lists_the_mass_grave_until_the_run_changes(
    client, small_case, site, analyst
) -> None:
    run = screening_run(actor=analyst, site=site, top_k=4)
    client.force_login(analyst)
    link = reverse("dna:grave_joint", args=[run.pk, small_case["mass"].pk])
    assert link in client.get(run.get_absolute_url()).content.decode()
    assert link in client.get(run.get_absolute_url()).content.decode()  # cached
    mass = run.candidate_rows.filter(body__grave=small_case["mass"])
    first = mass.order_by("body").values_list("body", flat=True).first()
    mass.exclude(body=first).delete()
    ScreeningRun.objects.filter(pk=run.pk).update(updated=timezone.now())
    assert link not in client.get(run.get_absolute_url()).content.decode()


def test_the_joint_result_of_the_mass_grave(client, small_case, site, analyst) -> None:
    run = screening_run(actor=analyst, site=site, top_k=4)
    client.force_login(analyst)
    page = client.get(reverse("dna:grave_joint", args=[run.pk, small_case["mass"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "IZM-PM-0002" in html and "IZM-PM-0004" in html
    assert small_case["families"][1].case_no in html
    assert "Exact" in html


def test_the_grave_panel_shows_candidates_to_analysts_only(
    client, small_case, site, analyst, examiner
) -> None:
    screening_run(actor=analyst, site=site)
    url = reverse("burials:grave_detail", args=[small_case["mass"].pk])
    client.force_login(analyst)
    html = client.get(url).content.decode()
    assert 'id="dna-panel"' in html and small_case["families"][1].case_no in html
    client.force_login(examiner)
    assert 'id="dna-panel"' not in client.get(url).content.decode()


@pytest.mark.parametrize(
    "role", ["forensic_examiner", "investigator", "field_recorder", "family_liaison"]
)
def test_other_roles_get_403_for_screening(client, small_case, site, users, role):
    run = screening_run(actor=users["dna_analyst"], site=site)
    c = run.candidate_rows.first()
    client.force_login(users[role])
    for url in (
        reverse("dna:index"),
        reverse("dna:screening_start", args=[site.pk]),
        run.get_absolute_url(),
        reverse("dna:candidate_detail", args=[c.pk]),
        reverse("dna:grave_joint", args=[run.pk, small_case["mass"].pk]),
    ):
        assert client.get(url).status_code == 403, url
    post = client.post(reverse("dna:screening_start", args=[site.pk]), {})
    assert post.status_code == 403


def test_an_outsider_gets_404_for_a_screening(
    client, small_case, site, analyst, other_org
):

    run = screening_run(actor=analyst, site=site)
    client.force_login(make_user(other_org, "dna_analyst", "other-analyst"))
    assert client.get(run.get_absolute_url()).status_code == 404
    c = run.candidate_rows.first()
    assert client.get(reverse("dna:candidate_detail", args=[c.pk])).status_code == 404
    assert (
        client.post(reverse("dna:screening_start", args=[site.pk]), {}).status_code
        == 404
    )


def test_the_command_prints_candidates(small_case, site) -> None:

    out = io.StringIO()
    call_command("dna", "screen", "izm", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["bodies"] == 4
    best = {c["pm"]: c["am_case_no"] for c in data["candidates"]}
    assert best["IZM-PM-0001"] == small_case["families"][0].case_no
    text = io.StringIO()
    call_command("dna", "screen", "izm", "--threshold", "100", stdout=text)
    assert "IZM-PM-0002" in text.getvalue() and "LR " in text.getvalue()


def test_the_command_names_an_unknown_site(db) -> None:

    with pytest.raises(CommandError, match="no site with code"):
        call_command("dna", "screen", "NOPE")


def test_a_national_run_has_its_pages_joint_result_and_grave_panel(
    client, small_case, site, analyst
) -> None:
    run = screening_run_national(actor=analyst, organisation=site.organisation, top_k=4)
    client.force_login(analyst)
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "IZM-PM-0001" in html and "All sites" in html
    assert "All sites" in client.get(reverse("dna:index")).content.decode()
    joint = client.get(reverse("dna:grave_joint", args=[run.pk, small_case["mass"].pk]))
    assert joint.status_code == 200 and "IZM-PM-0004" in joint.content.decode()
    grave = client.get(reverse("burials:grave_detail", args=[small_case["mass"].pk]))
    assert small_case["families"][1].case_no in grave.content.decode()
    # The identification app reads the national run's rows of the site.
    lrs = dna_lrs_for_site(site)
    assert {k[0] for k in lrs} == {b.pk for b in small_case["bodies"]}
    assert {v["run"] for v in lrs.values()} == {run.pk}


def test_a_national_run_page_is_paginated_by_body(client, small_case, site, analyst):
    run = screening_run_national(actor=analyst, organisation=site.organisation)
    client.force_login(analyst)
    page = client.get(run.get_absolute_url() + "?page=1")
    assert page.context["page"].paginator.per_page == BODIES_PER_PAGE == 20
    assert page.context["page"].paginator.count == 4

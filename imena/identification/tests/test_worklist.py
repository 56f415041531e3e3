"""The home page is each role's work list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from imena.identification import services
from imena.identification.models import Candidate
from imena.identification.worklist import STRONG_POSTERIOR, strong_unproposed

pytestmark = pytest.mark.django_db


def items(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("burials:home"))
    assert response.status_code == 200
    return {item.key: item for item in response.context["items"]}


def test_a_proposal_waits_for_a_second_examiner_not_for_its_proposer(
    client, candidate, users, org
):
    services.identification_propose(
        actor=users["forensic_examiner"], candidate=candidate, justification="x"
    )
    second = make_user(org, "forensic_examiner", "examiner2")
    assert items(client, users["forensic_examiner"])["second_examiner"].count == 0
    waiting = items(client, second)["second_examiner"]
    assert waiting.count == 1
    assert candidate.analysis.body.pm_number in waiting.rows[0].label


def test_a_strong_candidate_waits_for_a_proposal_until_proposed(
    client, candidate, users
):
    examiner = users["forensic_examiner"]
    Candidate.objects.filter(pk=candidate.pk).update(posterior=STRONG_POSTERIOR)
    assert list(strong_unproposed(examiner)) == [candidate.analysis]
    assert items(client, examiner)["strong_candidates"].count == 1
    services.identification_propose(
        actor=examiner, candidate=candidate, justification="x"
    )
    assert items(client, examiner)["strong_candidates"].count == 0


def test_only_each_sites_latest_computation_counts(client, candidate, users, site):
    examiner = users["forensic_examiner"]
    Candidate.objects.filter(pk=candidate.pk).update(posterior=STRONG_POSTERIOR)
    newer, _result = services.candidates_compute(actor=examiner, site=site)
    Candidate.objects.filter(analysis__run=newer).update(posterior=0.5)
    assert list(strong_unproposed(examiner)) == []
    Candidate.objects.filter(analysis__run=newer, rank=1).update(posterior=0.995)
    listed = list(strong_unproposed(examiner))
    assert [a.run_id for a in listed] == [newer.pk]
    assert listed[0].best == pytest.approx(0.995)


def test_a_weak_candidate_is_not_on_the_work_list(client, candidate, users):
    Candidate.objects.filter(analysis=candidate.analysis).update(posterior=0.5)
    assert items(client, users["forensic_examiner"])["strong_candidates"].count == 0


def test_each_role_sees_only_the_work_it_may_do(client, run, users):
    assert set(items(client, users["family_liaison"])) == {
        "families_to_notify",
        "contact_requests",
        "family_reports",
        "family_additions",
    }
    assert set(items(client, users["dna_analyst"])) == {
        "strong_candidates",
        "second_examiner",
    }
    assert "journal_review" in items(client, users["forensic_examiner"])
    assert "odk_drafts" in items(client, users["investigator"])
    assert items(client, users["field_recorder"]) == {}


def test_anonymous_home_goes_to_login(client):
    response = client.get(reverse("burials:home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_bodys_candidates_page_reads_each_row_once(
    client, candidate, users, django_assert_max_num_queries
):
    """The table reads only the shown fields, yet never a query per candidate."""
    client.force_login(users["forensic_examiner"])
    analysis = candidate.analysis
    url = reverse("identification:body_candidates", args=[analysis.body_id])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    for c in analysis.candidates.select_related("person"):
        assert c.person.case_no in html
        assert str(c.person) in html
        assert c.get_absolute_url() in html


def test_a_sites_candidate_list_shows_each_bodys_best_candidate(
    client, candidate, users, site, django_assert_max_num_queries
):
    Candidate.objects.filter(pk=candidate.pk).update(posterior=0.995)
    client.force_login(users["forensic_examiner"])
    url = reverse("identification:site_candidates", args=[site.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url, {"sort": "-best"})
    [analysis] = response.context["analyses"]
    assert analysis.best == pytest.approx(0.995)
    html = response.content.decode()
    assert f"{candidate.person.case_no} {candidate.person}" in html
    strong = client.get(url, {"strong": "1"}).context["analyses"]
    assert [a.pk for a in strong] == [analysis.pk]
    Candidate.objects.filter(analysis=analysis).update(posterior=0.5)
    assert list(client.get(url, {"strong": "1"}).context["analyses"]) == []


def test_the_candidate_list_filters_by_posterior_dna_and_no_candidates(
    client, candidate, users, site
):
    analysis = candidate.analysis
    Candidate.objects.filter(pk=candidate.pk).update(posterior=0.95)
    client.force_login(users["forensic_examiner"])
    url = reverse("identification:site_candidates", args=[site.pk])

    def shown(**params):
        return [a.pk for a in client.get(url, params).context["analyses"]]

    assert shown(min="0,9") == [analysis.pk] and shown(min="0.96") == []
    assert shown(none="1") == []
    assert shown(dna="1") == []
    Candidate.objects.filter(pk=candidate.pk).update(lr_dna=250.0)
    assert shown(dna="1") == [analysis.pk]
    Candidate.objects.filter(analysis=analysis).delete()
    assert shown(none="1") == [analysis.pk]


def test_each_candidate_has_its_own_cell(client, candidate, users, site):
    client.force_login(users["forensic_examiner"])
    url = reverse("identification:site_candidates", args=[site.pk])
    html = client.get(url).content.decode()
    row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cands = list(candidate.analysis.candidates.order_by("-posterior")[:3])
    cells = row.split("<td")
    for c in cands:
        assert sum(c.person.case_no in cell for cell in cells) == 1
    assert all(";" not in cell for cell in cells)


def test_the_strong_list_is_the_best_posterior_list(candidate, users, site) -> None:
    """Read through the strong candidate's join: the same analyses, best
    posteriors and order as the best posterior of every candidate (#13 item 5)."""
    import datetime as dt

    from django.db.models import Exists, OuterRef

    from imena.burials.tests.factories import GraveFactory
    from imena.exhumations import services as exh
    from imena.identification.models import BodyAnalysis
    from imena.identification.selectors import best_posterior
    from imena.identification.worklist import LIVE

    examiner = users["forensic_examiner"]
    grave = GraveFactory(site=site, marker_text="№ 13", bodies_expected=4)
    exh.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,  # type: ignore[arg-type]
        date=dt.date(2022, 9, 17),
        team="Команда",
        pm_numbers=["IZM-PM-0009", "IZM-PM-0003", "IZM-PM-0007", "IZM-PM-0005"],
    )
    run, _result = services.candidates_compute(actor=examiner, site=site)
    analyses = list(BodyAnalysis.objects.of_run(run).order_by("pk"))
    for n, analysis in enumerate(analyses):
        # Strong and weak bodies, ties at the top broken by the PM number.
        top = [0.995, 1.0, 0.5, 1.0][n % 4]
        Candidate.objects.filter(analysis=analysis).update(posterior=0.001)
        Candidate.objects.filter(analysis=analysis, rank=1).update(posterior=top)
    strong = Candidate.objects.filter(
        analysis=OuterRef("pk"), posterior__gte=STRONG_POSTERIOR
    )
    expected = (
        BodyAnalysis.objects.of_run(run)
        .filter(Exists(strong))
        .annotate(best=best_posterior())
        .order_by("-best", "body__pm_number")
    )
    assert LIVE and len(analyses) == 5
    got = [(a.pk, a.best) for a in strong_unproposed(examiner)]  # type: ignore[attr-defined]
    assert got == [(a.pk, a.best) for a in expected]
    assert len(got) == strong_unproposed(examiner).count() > 0


def test_a_body_of_another_organisation_is_never_listed(candidate, users, other_org):
    """The organisation is checked on each listed body, not only through the
    runs (a body moved to another organisation leaves this work list)."""
    from imena.exhumations.models import Body

    examiner = users["forensic_examiner"]
    Candidate.objects.filter(pk=candidate.pk).update(posterior=STRONG_POSTERIOR)
    assert list(strong_unproposed(examiner)) == [candidate.analysis]
    Body.objects.filter(pk=candidate.analysis.body_id).update(organisation=other_org)
    assert list(strong_unproposed(examiner)) == []


def test_the_strong_list_starts_from_the_runs_not_every_body(
    candidate, users, monkeypatch
):
    """On SQLite the plan reads the latest runs' analyses (held by no later
    run, by the sites' index), then each one's body:
    walking every body of the organisation and probing each run for it cost
    65 ms at national size (10,000 bodies, 40 latest runs) against 5 ms."""
    from django.db import connection

    from imena.identification import worklist

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query planner")
    # 40 sites, as at national size (the planner weighs the list).
    sites = [candidate.analysis.site_id, *range(10**6, 10**6 + 39)]
    monkeypatch.setattr(worklist, "_sites", lambda user: sites)
    examiner = users["forensic_examiner"]
    plan = strong_unproposed(examiner).explain()
    assert "organisation_id=?" not in plan, plan
    assert "identification_bodyanalysis USING INDEX analysis_site_until_idx" in plan, (
        plan
    )
    Candidate.objects.filter(pk=candidate.pk).update(posterior=STRONG_POSTERIOR)
    assert list(strong_unproposed(examiner)) == [candidate.analysis]

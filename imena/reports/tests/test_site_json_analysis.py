"""The site JSON leaves out recomputable analysis tables unless asked, and streams."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from imena.audit.models import AuditEntry
from imena.identification.models import CandidateRun
from imena.reports.access import Audience
from imena.reports.sitejson import (
    ANALYSIS_TYPES,
    build_content,
    content_sha256,
    write_site_json,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(site):
    CandidateRun.objects.create(site=site, p_unlisted=0.1)
    return site


def models_in(data: dict) -> set[str]:
    return {m["model"] for m in data["content"]["models"]}


def exported(tmp_path, *args: str) -> dict:
    out = tmp_path / "site.json"
    call_command("export", "site", "izm", "--out", str(out), *args)
    return json.loads(out.read_text(encoding="utf-8"))


def test_analysis_tables_are_left_out_by_default_and_named(analysed, tmp_path) -> None:
    data = exported(tmp_path)
    assert "identification.candidaterun" not in models_in(data)
    assert "identification.candidaterun" in data["content"]["analysis_omitted"]
    assert set(data["content"]["analysis_omitted"]) <= ANALYSIS_TYPES
    assert data["content"]["complete"] is True
    assert "burials.grave" in models_in(data)


def test_with_analysis_includes_them(analysed, tmp_path) -> None:
    data = exported(tmp_path, "--with-analysis")
    assert "identification.candidaterun" in models_in(data)
    assert data["content"]["analysis_omitted"] == []


def test_report_site_json_takes_with_analysis(analysed, tmp_path) -> None:
    out = tmp_path / "r.json"
    call_command("report", "site", "izm", "--format", "json", "--out", str(out))
    assert "identification.candidaterun" not in models_in(json.loads(out.read_text()))
    call_command(
        "report",
        "site",
        "izm",
        "--format",
        "json",
        "--out",
        str(out),
        "--with-analysis",
    )
    assert "identification.candidaterun" in models_in(json.loads(out.read_text()))


def test_a_default_export_imports_into_another_organisation(analysed, tmp_path) -> None:
    exported(tmp_path)
    call_command("import", "site", str(tmp_path / "site.json"), "--organisation", "cp")
    assert AuditEntry.objects.filter(action="site.import").exists()


@pytest.mark.parametrize("with_analysis", [False, True])
def test_the_streamed_file_is_the_content_with_its_sha256(
    analysed, tmp_path, with_analysis
) -> None:
    who = Audience(organisation_id=analysed.organisation_id)
    path = tmp_path / "s.json"
    rows = write_site_json(path, analysed, who, with_analysis=with_analysis)
    data = json.loads(path.read_text(encoding="utf-8"))
    content = build_content(analysed, who, with_analysis=with_analysis)
    assert data["content"] == content
    assert data["sha256"] == content_sha256(content)
    assert rows == sum(len(m["records"]) for m in content["models"])
    assert set(data) == {"content", "exported_at", "format", "sha256", "version"}


def test_the_export_list_states_the_size_and_offers_analysis(
    client, investigator, analysed
) -> None:
    client.force_login(investigator)
    # The page asks for the counts after loading; then it shows them itself.
    counts = reverse("reports:site_record_counts", args=[analysed.pk])
    assert (
        counts
        in client.get(
            reverse("reports:site_statistics", args=[analysed.pk])
        ).content.decode()
    )
    fragment = client.get(counts).content.decode()
    assert "Full site record (JSON, " in fragment and " records)" in fragment
    page = client.get(
        reverse("reports:site_statistics", args=[analysed.pk])
    ).content.decode()
    assert "Full site record (JSON, " in page and " records)" in page
    assert "?analysis=1" in page
    url = reverse("reports:site_export", args=[analysed.pk, "site", "json"])
    body = b"".join(client.get(url).streaming_content)
    assert "identification.candidaterun" not in models_in(json.loads(body))
    body = b"".join(client.get(url + "?analysis=1").streaming_content)
    data = json.loads(body)
    assert "identification.candidaterun" in models_in(data)


def test_record_counts_are_cached_until_anything_is_written(
    site, examiner, django_assert_max_num_queries
) -> None:
    """The reports page shows the counts on every view: cached under the audit head."""
    from imena.burials.services import grave_create
    from imena.reports.sitejson import site_record_counts

    audience = Audience(site.organisation_id, examiner)
    plain, _analysis = site_record_counts(site, audience)
    with django_assert_max_num_queries(2):  # the audit head, nothing counted
        assert site_record_counts(site, audience)[0] == plain
    grave_create(actor=examiner, site=site, marker_text="№ 4242")
    assert site_record_counts(site, audience)[0] == plain + 1


@pytest.mark.parametrize(
    "role",
    [
        "investigator",
        "forensic_examiner",
        "dna_analyst",
        "family_liaison",
        "field_recorder",
    ],
)
def test_record_counts_equal_the_collected_querysets(analysed, users, role) -> None:
    """The counts read id sets step by step; they select what ``collect`` selects."""
    from imena.reports import sitejson
    from imena.reports.sitejson import _record_counts, collect

    audience = Audience(analysed.organisation_id, users[role])
    collected = collect(analysed, audience, with_analysis=True)
    expected = {m: qs.count() for m, qs in collected.querysets.items()}
    assert sum(expected.values()) > 10, "the populated site holds records"
    assert _record_counts(analysed, audience) == expected
    # Chunked reads give the same counts as one read per step.
    old, sitejson._CHUNK = sitejson._CHUNK, 2
    try:
        assert _record_counts(analysed, audience) == expected
    finally:
        sitejson._CHUNK = old


def test_analyses_held_by_later_runs_travel_with_their_runs(
    site, users, tmp_path
) -> None:
    """An analysis held until a later run (``BodyAnalysis.until``) imports
    held until that run's copy: each run reads as it did."""
    import datetime as dt

    from imena.accounts.models import Organisation
    from imena.burials.tests.factories import GraveFactory
    from imena.exhumations import services as exh
    from imena.identification.models import BodyAnalysis

    grave = GraveFactory(site=site, marker_text="№ 12", bodies_expected=1)
    body = exh.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,  # type: ignore[arg-type]
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0001"],
    ).bodies.get()

    first, second, third = (
        CandidateRun.objects.create(site=site, p_unlisted=0.1) for _ in range(3)
    )
    BodyAnalysis.objects.create(
        run=first, site=site, body=body, posterior_unlisted=0.5, until=third
    )
    BodyAnalysis.objects.create(run=third, site=site, body=body, posterior_unlisted=0.2)
    exported(tmp_path, "--with-analysis")
    call_command("import", "site", str(tmp_path / "site.json"), "--organisation", "cp")
    runs = list(
        CandidateRun.objects.filter(site__organisation__code="cp").order_by("pk")
    )
    assert len(runs) == 3 and Organisation.objects.filter(code="cp").exists()
    held = [
        [a.posterior_unlisted for a in BodyAnalysis.objects.of_run(r)] for r in runs
    ]
    assert held == [[0.5], [0.5], [0.2]]
    assert list(
        BodyAnalysis.objects.current()
        .filter(site=runs[0].site)
        .values_list("posterior_unlisted", flat=True)
    ) == [0.2]

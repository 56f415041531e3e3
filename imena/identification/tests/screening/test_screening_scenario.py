"""Screening a small simulated scenario finds the true families."""

from __future__ import annotations

from typing import Any

import pytest

from imena.audit.models import AuditEntry
from imena.identification.models import ScreeningCandidate, ScreeningRun
from imena.identification.screening import build_case_for_site
from imena.identification.services import screening_run

pytestmark = pytest.mark.django_db


def _truth_pairs(truth: dict[str, Any]) -> dict[str, str]:
    """PM number -> AM case number of the body's own report, where DNA can tell."""
    report_of = {
        info["person_id"]: case_no
        for case_no, info in truth["reports"].items()
        if not info.get("duplicate_of")
    }
    return {
        pm: report_of[info["person_id"]]
        for pm, info in truth["bodies"].items()
        if info.get("has_dna_family")
        and info.get("dna_profile") != "none"
        and info["person_id"] in report_of
    }


def test_the_demo_loader_screens_the_site_and_finds_most_true_families(
    scenario: dict[str, Any],
) -> None:
    assert scenario["summary"]["dna_screenings"] == 1
    run = ScreeningRun.objects.get()
    assert run.bodies > 30 and run.families > 10
    expected = _truth_pairs(scenario["truth"])
    best = {
        c.pm_label: c.person.case_no
        for c in ScreeningCandidate.objects.filter(run=run, rank=1).select_related(
            "person"
        )
    }
    found = [pm for pm, case_no in expected.items() if best.get(pm) == case_no]
    assert len(expected) >= 10
    assert len(found) >= 0.8 * len(expected), (len(found), len(expected))
    # The true pairs found are strong: LR above the threshold.
    strong = ScreeningCandidate.objects.filter(
        run=run, rank=1, pm_label__in=found, lr__gte=run.threshold
    ).count()
    print(len(found), len(expected), strong)
    assert strong >= 0.6 * len(expected)


def test_only_candidates_above_threshold_and_the_top_k_are_kept(
    scenario: dict[str, Any], users: dict[str, Any]
) -> None:
    site = next(iter(scenario["context"].sites.values()))
    run = screening_run(actor=users["dna_analyst"], site=site, top_k=2)
    rows = list(run.candidate_rows.all())
    assert rows and len(rows) < run.bodies * run.missing_persons
    for row in rows:
        assert row.rank <= 2 or row.lr >= run.threshold
        assert row.per_marker
    assert run.candidates == len(rows)


def test_a_screening_is_audited_with_parameters_and_counts_but_no_genotypes(
    scenario: dict[str, Any], users: dict[str, Any]
) -> None:
    site = next(iter(scenario["context"].sites.values()))
    run = screening_run(actor=users["dna_analyst"], site=site, theta=0.01)
    entry = AuditEntry.objects.filter(action="dna.screening.run").latest("seq")
    assert entry.object_type == "dna.screeningrun"  # its type from before the move
    assert entry.object_id == str(run.pk)
    assert entry.after_data["parameters"]["theta"] == 0.01
    assert entry.after_data["candidates"] == run.candidates
    text = entry.after
    assert "genotypes" not in text and "D3S1358" not in text


def test_the_case_builder_labels_bodies_by_pm_number_and_prefixes_member_ids(
    scenario: dict[str, Any],
) -> None:
    site = next(iter(scenario["context"].sites.values()))
    data = build_case_for_site(site)
    assert all(label.startswith("IZM-PM-") for label in data["pm"])
    for mid in data["missing"]:
        family = mid.split("/")[0]
        assert mid in data["am"][family]["id"]
    names = {m["name"] for m in data["markers"]}
    assert "D3S1358" in names
    assert set(data["index"]["bodies"]) == set(data["pm"])

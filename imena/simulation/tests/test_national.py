"""The national scenario (``imena simulate --national`` / ``--sites N --missing M``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from imena.simulation import Summary, check_truth, simulate
from imena.simulation.cli import main
from imena.simulation.national import national_size
from imena.simulation.truth import read_journal

SITES, MISSING = 3, 1500


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("national") / "n"
    return out, simulate(11, out, sites=SITES, missing=MISSING)


def _json(directory: Path, rel: str) -> Any:
    return json.loads((directory / rel).read_text("utf-8"))


def test_it_is_consistent_with_its_truth(national: tuple[Path, Summary]) -> None:
    assert check_truth(national[0]) == []


def test_same_seed_same_bytes(national: tuple[Path, Summary], tmp_path: Path) -> None:
    out, _summary = national
    again = tmp_path / "again"
    simulate(11, again, sites=SITES, missing=MISSING)
    mine = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    other = {
        p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()
    }
    assert mine == other


def test_sites_each_have_graves_bodies_and_journals(
    national: tuple[Path, Summary],
) -> None:
    out, summary = national
    sites = _json(out, "sites.json")["sites"]
    assert summary.sites == len(sites) == SITES
    assert summary.bodies == 250 * SITES
    truth = _json(out, "truth.json")
    bodies_per_site = Counter(
        b["grave"].split("-G")[0] for b in truth["bodies"].values()
    )
    for site in sites:
        code = site["code"]
        assert bodies_per_site[code] > 0
        for name in ("funeral_home.csv", "volunteers.csv"):
            header, rows = read_journal(out, f"journals/{code}/{name}")
            assert header and rows
    # The journals record every burial: far more rows than exhumed bodies.
    assert summary.journal_rows > 5 * summary.bodies
    unexhumed = [g for g in truth["graves"].values() if not g["exhumed"]]
    assert unexhumed and all(not g["bodies"] for g in unexhumed)


def test_one_register_most_never_buried_at_a_site(
    national: tuple[Path, Summary],
) -> None:
    out, summary = national
    reports = _json(out, "missing/reports.json")["reports"]
    truth = _json(out, "truth.json")
    assert summary.reports == len(reports) == MISSING
    assert [r["am_case_no"] for r in reports] == sorted(
        r["am_case_no"] for r in reports
    )
    people = {link["person_id"] for link in truth["reports"].values()}
    at_site = sum(1 for pid in people if truth["persons"][pid]["at_site"])
    assert at_site < len(people) / 2
    # Every simulated person is at a site or reported.
    assert all(p["at_site"] or pid in people for pid, p in truth["persons"].items())


def test_duplicates_come_from_another_organisation(
    national: tuple[Path, Summary],
) -> None:
    out, _summary = national
    reports = {
        r["am_case_no"]: r for r in _json(out, "missing/reports.json")["reports"]
    }
    links = _json(out, "truth.json")["reports"]
    duplicates = [(am, link) for am, link in links.items() if link["duplicate_of"]]
    assert len(duplicates) > MISSING * 0.03
    for am, link in duplicates:
        first = reports[link["duplicate_of"]]
        assert reports[am]["reporting_organisation"] != first["reporting_organisation"]


def test_reference_profiles_about_one_point_six_per_report(
    national: tuple[Path, Summary],
) -> None:
    out, summary = national
    case = _json(out, "dna/case.json")
    refs = sum(len(f["genotypes"]) for f in case["am"].values())
    assert refs == summary.references
    assert 1.45 <= refs / summary.reports <= 1.75
    assert len(case["pm"]) == summary.pm_profiles > 0.9 * summary.bodies


def test_preset_size() -> None:
    size = national_size(None, None, None)
    assert (size.sites, size.bodies, size.missing) == (40, 10_000, 55_000)
    assert national_size(4, None, 900).bodies == 1000


def test_cli_writes_a_national_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--seed", "2", "--out", str(tmp_path / "o"), "--sites", "1"])
    assert code == 0
    assert "1 sites" in capsys.readouterr().out
    assert check_truth(tmp_path / "o") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--national", "--scale", "2"],
        ["--sites", "2", "--graves", "30"],
        ["--sites", "0"],
        ["--sites", "3", "--bodies", "2"],
        ["--missing", "0"],
    ],
)
def test_cli_rejects_mixed_or_empty_sizes(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--seed", "1", "--out", str(tmp_path / "o"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("imena simulate: error:") and err.count("\n") == 1

"""Issue 20: inbred missing persons, theta on both sides, screening at threshold 0.

The LRs of the inbred cases were confirmed with dvir's ``pairwiseLR`` and by
brute force (see ``test_brute_force.py``); the closed forms with the
inbreeding coefficient f are ``(f p + (1 - f) p^2) / p^2`` for a homozygote
and ``1 - f`` for a heterozygote.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kinship.case import Case, Family, Pedigree, Victim, load_case
from kinship.cli import main
from kinship.identify import joint, pairwise_lr
from kinship.likelihood import marker_likelihood
from kinship.markers import Marker
from kinship.screen import screen_case

ISSUE_CASE = {
    "markers": [
        {"name": "L1", "alleles": ["1", "2", "3", "4"], "afreq": [0.1, 0.2, 0.3, 0.4]}
    ],
    "pm": {
        "V1": {"sex": 1, "genotypes": {"L1": ["2", "2"]}},
        "V2": {"sex": 1, "genotypes": {"L1": ["2", "3"]}},
        "V3": {"sex": 1, "genotypes": {"L1": ["1", "2"]}},
    },
    "am": {
        "F1": {
            "id": ["GF", "GM", "A", "B", "M"],
            "fid": [None, None, "GF", "GF", "A"],
            "mid": [None, None, "GM", "GM", "B"],
            "sex": [1, 2, 1, 2, 1],
            "genotypes": {"GF": {"L1": ["1", "1"]}},
        }
    },
    "missing": ["M"],
}


def write_case(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (True, {"V1": 0.75, "V2": 0.125, "V3": 2.625}),
        (False, {"V1": 2.0, "V2": 0.75, "V3": 0.75}),
    ],
)
def test_pairwise_cli_gives_dvir_values_for_a_child_of_full_sibs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    typed: bool,
    expected: dict[str, float],
) -> None:
    data = json.loads(json.dumps(ISSUE_CASE))
    if not typed:
        data["am"]["F1"]["genotypes"] = {}
    assert main(["pairwise", write_case(tmp_path, data)]) == 0
    out = json.loads(capsys.readouterr().out)
    for victim, lr in expected.items():
        assert out[victim]["M"] == pytest.approx(lr, rel=1e-12)


ABC = Marker("L", ("A", "B", "C"), np.array([0.2, 0.3, 0.5]))
SIB_MATING = [
    ("GF", None, None, 1),
    ("GM", None, None, 2),
    ("P", "GF", "GM", 1),
    ("Q", "GF", "GM", 2),
    ("M", "P", "Q", 1),
]
COUSIN_MATING = [
    ("GF", None, None, 1),
    ("GM", None, None, 2),
    ("A", "GF", "GM", 1),
    ("B", "GF", "GM", 2),
    ("SA", None, None, 2),
    ("SB", None, None, 1),
    ("C1", "A", "SA", 1),
    ("C2", "SB", "B", 2),
    ("M", "C1", "C2", 1),
]


def lineage_case(
    rows: list[tuple[str, str | None, str | None, int]],
    refs: dict[str, tuple[str, str]],
    victims: dict[str, tuple[str, str]],
) -> Case:
    ped = Pedigree.from_lists(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
        [r[3] for r in rows],
    )  # fmt: skip
    return Case(
        {"L": ABC},
        {v: Victim(v, 1, {"L": g}) for v, g in victims.items()},
        {"F": Family("F", ped, {k: {"L": g} for k, g in refs.items()})},
        ["M"],
    )


@pytest.mark.parametrize(
    ("rows", "refs", "expected"),
    [
        (SIB_MATING, {}, {"AA": 2.0, "AB": 0.75}),
        (COUSIN_MATING, {"GM": ("C", "C")}, {"AA": 0.6875, "AB": 0.53125}),
    ],
    ids=["child of full sibs, nobody typed", "child of cousins, GM typed C/C"],
)
def test_inbred_missing_person_in_pairwise_screening_and_joint(
    rows: list[tuple[str, str | None, str | None, int]],
    refs: dict[str, tuple[str, str]],
    expected: dict[str, float],
) -> None:
    case = lineage_case(rows, refs, {"AA": ("A", "A"), "AB": ("A", "B")})
    lr = pairwise_lr(case)
    screened = screen_case(case, threshold=0.0, top_k=1)
    for victim, want in expected.items():
        assert lr[victim]["M"] == pytest.approx(want, rel=1e-12)
        (cand,) = screened.top[victim]
        assert 10**cand.log10_lr == pytest.approx(want, rel=1e-12)
    res = joint(case)
    weights = {
        frozenset(v for v, m in a.assignment.items() if m): a.lr
        for a in res.assignments
    }
    assert weights[frozenset({"AA"})] == pytest.approx(expected["AA"], rel=1e-12)


@pytest.mark.parametrize("theta", [0.01, 0.03, 0.1])
def test_an_untyped_family_gives_lr_1_at_any_theta(theta: float) -> None:
    case = lineage_case(
        SIB_MATING[:2] + [("M", "GF", "GM", 1), ("S", "GF", "GM", 1)],
        {},
        {"AA": ("A", "A"), "AB": ("A", "B"), "CC": ("C", "C")},
    )
    for row in pairwise_lr(case, theta=theta).values():
        assert row["M"] == pytest.approx(1.0, rel=1e-12)
    (cand,) = screen_case(case, threshold=0.0, top_k=1, theta=theta).top["AB"]
    assert cand.log10_lr == pytest.approx(0.0, abs=1e-12)
    res = joint(case, theta=theta)
    assert res.marginals["AB"]["M"] == pytest.approx(1 / 4, rel=1e-9)


def test_theta_likelihood_reproduces_pedprobr() -> None:
    # pedprobr's own test: linearPed(2), person 5 A/A, p_A = 0.3, theta 0.01.
    ped = Pedigree.from_lists(
        ["1", "2", "3", "4", "5"],
        [None, None, "1", None, "3"],
        [None, None, "2", None, "4"],
        [1, 2, 1, 2, 1],
    )
    m = Marker("L", ("A", "B"), np.array([0.3, 0.7]))
    assert marker_likelihood(ped, {"5": ("A", "A")}, m, theta=0.01) == pytest.approx(
        0.0921, rel=1e-12
    )


def test_paternity_index_with_theta_matches_the_closed_form() -> None:
    theta, p = 0.05, 0.2
    case = lineage_case(
        [("F", None, None, 1), ("MO", None, None, 2), ("M", "F", "MO", 1)],
        {"F": ("A", "A")},
        {"V": ("A", "A")},
    )
    # Founder alleles A, A (father), then the child's maternal A: the third
    # draw of A; divided by the child's own population probability.
    want = (2 * theta + (1 - theta) * p) / (1 + theta) / (p * (theta + (1 - theta) * p))
    assert pairwise_lr(case, theta=theta)["V"]["M"] == pytest.approx(want, rel=1e-12)


def test_screening_keeps_every_candidate_at_threshold_0() -> None:
    case = lineage_case(
        [("F", None, None, 1), ("MO", None, None, 2), ("M", "F", "MO", 1)],
        {"F": ("C", "C")},
        {"AA": ("A", "A"), "CB": ("C", "B")},
    )
    res = screen_case(case, threshold=0.0)
    assert {c.victim for c in res.candidates} == {"AA", "CB"}
    excluded = next(c for c in res.candidates if c.victim == "AA")
    assert excluded.inconsistent == 1 and excluded.lr == 0.0
    kept = next(c for c in res.candidates if c.victim == "CB")
    assert kept.lr == pytest.approx(1 / (2 * 0.5), rel=1e-12)


def test_theta_keeps_example_lrs_finite_and_changes_them() -> None:
    from tests.paths import DVI_EXAMPLES

    case = load_case(DVI_EXAMPLES / "example2.json")
    plain = pairwise_lr(case)["V2"]["M2"]
    corrected = pairwise_lr(case, theta=0.03)["V2"]["M2"]
    assert math.isfinite(corrected) and corrected != plain

"""Checks of declared relationships among a family's typed references."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from kinship.case import Family, Pedigree
from kinship.cli import main
from kinship.markers import Marker, load_frequency_table
from kinship.relationships import check_family, full_siblings, half_siblings
from kinship.screen import simulate_genotypes

P1, P2 = 0.1, 0.2
LOCI = [
    "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51",
    "D2S441", "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820",
    "SE33", "D10S1248", "D1S1656", "D12S391", "D2S1338", "Penta D", "Penta E",
]  # fmt: skip


def markers23() -> dict[str, Marker]:
    table = load_frequency_table()
    return {k: table[k] for k in LOCI}


ONE = {"L": Marker("L", ("1", "2", "3"), np.array([P1, P2, 0.7]))}


def test_pair_lrs_by_hand() -> None:
    # A 1/1 and B 1/2 declared as full siblings.
    fam = Family("F", full_siblings(), {"A": {"L": ("1", "1")}, "B": {"L": ("1", "2")}})
    (check,) = check_family(fam, ONE)
    sibs = P1**2 * (0.25 * 2 * P1 * P2 + 0.5 * P2)
    want = {
        "parent-child": P1**2 * P2 / sibs,
        "full siblings": 1.0,
        "half siblings": P1**2 * (0.5 * 2 * P1 * P2 + 0.5 * P2) / sibs,
        "first cousins": P1**2 * (0.75 * 2 * P1 * P2 + 0.25 * P2) / sibs,
        "unrelated": P1**2 * 2 * P1 * P2 / sibs,
    }
    for name, lr in want.items():
        assert 10 ** check.alternatives[name] == pytest.approx(lr, rel=1e-12), name
    assert check.best == "parent-child" and not check.flagged


def test_an_impossible_declaration_is_flagged() -> None:
    ped = Pedigree.from_lists(["F", "MO", "C"], [None, None, "F"], [None, None, "MO"],
                              [1, 2, 1])  # fmt: skip
    fam = Family("F", ped, {"F": {"L": ("1", "1")}, "C": {"L": ("2", "3")}})
    (check,) = check_family(fam, ONE)
    assert check.declared_loglik == -math.inf and check.flagged
    assert check.alternatives["parent-child"] == -math.inf
    assert check.alternatives["unrelated"] == math.inf


DECLARED = Pedigree.from_lists(
    ["F", "MO", "S1", "S2"],
    [None, None, "F", "F"],
    [None, None, "MO", "MO"],
    [1, 2, 1, 1],
)
# The truth: S2 is F's son by another woman, MO2.
TRUE = Pedigree.from_lists(
    ["F", "MO", "MO2", "S1", "S2"],
    [None, None, None, "F", "F"],
    [None, None, None, "MO", "MO2"],
    [1, 2, 2, 1, 1],
)


def test_a_half_brother_declared_as_brother_is_flagged() -> None:
    markers = markers23()
    rng = np.random.default_rng(18)
    flagged = 0
    for _ in range(20):
        genos = simulate_genotypes(TRUE, markers, rng, ids=["MO", "S1", "S2"])
        checks = {
            (c.a, c.b): c for c in check_family(Family("F", DECLARED, genos), markers)
        }
        assert not checks[("MO", "S1")].flagged
        wrong = checks[("MO", "S2")]
        assert wrong.flagged and wrong.alternatives["unrelated"] > 3
        flagged += checks[("S1", "S2")].flagged
    # Siblings alone: a half-sib pair is 1,000 times likelier only sometimes.
    assert flagged < 20


def test_correct_families_are_not_flagged() -> None:
    markers = markers23()
    rng = np.random.default_rng(180)
    flags = 0
    for _ in range(100):
        genos = simulate_genotypes(DECLARED, markers, rng, ids=["MO", "S1", "S2"])
        checks = check_family(Family("F", DECLARED, genos), markers)
        flags += sum(c.flagged for c in checks)
    assert flags == 0


def test_half_siblings_alone_are_told_from_full_siblings_on_average() -> None:
    markers = markers23()
    rng = np.random.default_rng(7)
    lrs = []
    for _ in range(30):
        genos = simulate_genotypes(half_siblings(), markers, rng, ids=["A", "B"])
        (check,) = check_family(Family("F", full_siblings(), genos), markers)
        lrs.append(check.alternatives["half siblings"])
    assert np.median(lrs) > 1.0


def test_the_check_command_reports_each_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = {
        "markers": [
            {"name": "L", "alleles": ["1", "2", "3"], "afreq": [0.1, 0.2, 0.7]}
        ],
        "pm": {},
        "am": {
            "F": {
                "id": ["F", "MO", "C", "M"],
                "fid": [None, None, "F", "F"],
                "mid": [None, None, "MO", "MO"],
                "sex": [1, 2, 1, 1],
                "genotypes": {"F": {"L": ["1", "1"]}, "C": {"L": ["2", "3"]}},
            }
        },
        "missing": ["M"],
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    assert main(["check", str(path)]) == 0
    (row,) = json.loads(capsys.readouterr().out)["F"]
    assert (row["a"], row["b"], row["flagged"]) == ("F", "C", True)
    assert row["log10_likelihood"]["declared"] is None
    assert row["log10_likelihood"]["unrelated"] == pytest.approx(
        math.log10(0.1**2 * 2 * 0.2 * 0.7)
    )


@pytest.mark.parametrize(("loci", "flagged"), [(4, False), (5, True)])
def test_brothers_sharing_no_allele_at_n_loci_by_hand(loci: int, flagged: bool) -> None:
    # At a locus where A and B share no allele, only the IBD-0 term is left:
    # declared full siblings k0 = 1/4, half siblings 1/2, first cousins 3/4,
    # unrelated 1, parent-child 0, times the same unrelated likelihood.
    markers = {f"L{k}": Marker(f"L{k}", ("1", "2", "3"), np.array([P1, P2, 0.7]))
               for k in range(loci)}  # fmt: skip
    genos = {
        "A": dict.fromkeys(markers, ("1", "1")),
        "B": dict.fromkeys(markers, ("2", "3")),
    }
    (check,) = check_family(Family("F", full_siblings(), genos), markers)
    assert check.alternatives["half siblings"] == pytest.approx(loci * math.log10(2))
    assert check.alternatives["first cousins"] == pytest.approx(loci * math.log10(3))
    assert check.alternatives["unrelated"] == pytest.approx(loci * math.log10(4))
    assert check.alternatives["parent-child"] == -math.inf
    # 4^4 = 256 < 1,000 <= 4^5 = 1,024
    assert check.best == "unrelated" and check.flagged is flagged


def kinship_kit() -> dict[str, Marker]:
    """The 23 loci and the other 27 norSTR loci: a 50-locus kinship kit."""
    table = load_frequency_table()
    return {k: table[k] for k in LOCI + [k for k in table if k not in LOCI]}


def test_a_half_brother_alone_declared_as_brother_is_flagged_with_a_kinship_kit() -> (
    None
):
    # Two brothers typed, nobody else (the simulator's "siblings" family): with
    # 23 STRs a half-sib pair is 1,000 times likelier in about 1 case in 5
    # (benchmarks/bench_relationships.py); with 50 loci in about 2 in 3.
    rng = np.random.default_rng(18)
    results = {}
    for size, markers in (("23", markers23()), ("50", kinship_kit())):
        checks = [
            check_family(
                Family("F", full_siblings(),
                       simulate_genotypes(half_siblings(), markers, rng, ids=["A", "B"])),
                markers,
            )[0]
            for _ in range(30)
        ]  # fmt: skip
        results[size] = sum(c.flagged for c in checks)
        assert all(c.best in {"half siblings", "first cousins", "unrelated"}
                   for c in checks if c.flagged)  # fmt: skip
    assert results["23"] <= 12 and results["50"] >= 15, results


def test_true_brothers_are_not_flagged_with_a_kinship_kit() -> None:
    markers = kinship_kit()
    rng = np.random.default_rng(181)
    flags = 0
    for _ in range(100):
        genos = simulate_genotypes(full_siblings(), markers, rng, ids=["A", "B"])
        flags += check_family(Family("F", full_siblings(), genos), markers)[0].flagged
    assert flags == 0

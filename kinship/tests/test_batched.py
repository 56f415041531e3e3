"""The batched engines agree with one-at-a-time likelihoods."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from kinship.case import Family, Pedigree, Victim
from kinship.identify import FamilyModel
from kinship.likelihood import (
    evidence_likelihoods,
    expand_posterior,
    genotype_posteriors,
    hardy_weinberg,
    is_inbred,
    marker_likelihood,
    observation_probability,
)
from kinship.markers import Marker
from kinship.mutation import MutationSpec, SexMutation

screen_mod = importlib.import_module("kinship.screen")

# Sib mating loop, a half-sib, an untyped child and a founder (W) that only
# placed evidence keeps in the pedigree.
ROWS = [
    ("A", None, None, 1),
    ("B", None, None, 2),
    ("C", "A", "B", 1),
    ("D", "A", "B", 2),
    ("E", None, None, 2),
    ("X", "C", "D", 1),
    ("Y", "C", "D", 2),
    ("H", "C", "E", 1),
    ("Z", "X", "E", 2),
    ("W", None, None, 1),
    ("K", "W", "Y", 2),
]
PROP = SexMutation(
    MutationSpec("proportional", {"rate": 0.01}),
    MutationSpec("proportional", {"rate": 0.002}),
)
STEP = SexMutation(MutationSpec("stepwise", {"rate": 0.02, "range": 0.5}), None)


def pedigree() -> Pedigree:
    return Pedigree.from_lists(
        [r[0] for r in ROWS], [r[1] for r in ROWS], [r[2] for r in ROWS],
        [r[3] for r in ROWS],
    )  # fmt: skip


def marker(mutation: SexMutation | None, n: int = 8, excess: float = 0.0) -> Marker:
    freqs = np.linspace(1.0, 2.0, n)
    freqs = freqs / freqs.sum() * (1.0 + excess)  # excess < 1e-6 is kept as is
    return Marker("L", tuple(str(10 + i) for i in range(n)), freqs, mutation)


@pytest.mark.parametrize(
    ("mutation", "n", "excess", "dropout"),
    [
        (None, 8, 0.0, 0.0),
        (None, 8, 4e-7, 0.0),
        (PROP, 8, 0.0, 0.1),
        (STEP, 6, 0.0, 0.0),
        (None, 20, 3e-7, 0.05),  # more local alleles: one row at a time
    ],
)
def test_evidence_rows_match_single_likelihoods(
    mutation: SexMutation | None, n: int, excess: float, dropout: float
) -> None:
    ped, m = pedigree(), marker(mutation, n, excess)
    rng = np.random.default_rng(4)

    def geno() -> tuple[str, str]:
        a, b = rng.choice(n, size=2)
        return (m.alleles[a], m.alleles[b])

    refs = {"D": geno(), "H": geno()}
    slots = ["X", "Y", "Z", "W"]
    options = [[geno() for _ in range(3)] for _ in slots]
    choice = rng.integers(-1, 3, size=(40, len(slots)))
    got = evidence_likelihoods(ped, refs, m, slots, options, choice, dropout=dropout)
    for row, value in zip(choice, got, strict=True):
        g = dict(refs)
        drop = {}
        for s, c in enumerate(row):
            if c >= 0:
                g[slots[s]] = options[s][c]
                drop[slots[s]] = dropout
        want = marker_likelihood(ped, g, m, dropout=drop)
        assert value == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_family_log_lr_many_matches_direct_computation() -> None:
    ped, m = pedigree(), marker(PROP)
    rng = np.random.default_rng(9)

    def geno() -> tuple[str, str]:
        a, b = rng.choice(8, size=2)
        return (m.alleles[a], m.alleles[b])

    fam = Family("F", ped, {"D": {"L": geno()}, "H": {"L": geno()}})
    victims = [Victim(f"V{i}", 0, {"L": geno()}) for i in range(4)]
    pop = hardy_weinberg(m.freqs)
    logp = {
        (v.name, "L"): math.log(
            observation_probability(
                pop, m.index(v.genotypes["L"][0]), m.index(v.genotypes["L"][1])
            )
        )
        for v in victims
    }
    placements = [
        {"X": victims[0], "Y": victims[1]},
        {"X": victims[1], "Z": victims[2], "A": victims[3]},
        {"Y": victims[0]},
        {"Z": victims[3], "X": victims[0]},
    ]
    model = FamilyModel(fam, {"L": m})
    got = model.log_lr_many(placements, logp, 0.0)
    ref = marker_likelihood(ped, {"D": fam.genotypes["D"]["L"],
                                  "H": fam.genotypes["H"]["L"]}, m)  # fmt: skip
    for p, value in zip(placements, got, strict=True):
        g = {k: fam.genotypes[k]["L"] for k in ("D", "H")}
        g.update({mp: v.genotypes["L"] for mp, v in p.items()})
        want = math.log(marker_likelihood(ped, g, m) / ref) - sum(
            logp[(v.name, "L")] for v in p.values()
        )
        assert value == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("mutation", [None, PROP])
def test_fast_screening_posteriors_match_generic(
    mutation: SexMutation | None,
) -> None:
    ped, m = pedigree(), marker(mutation, 12)
    rng = np.random.default_rng(2)
    typed = ["D", "H", "Z"]
    alleles = rng.integers(0, 12, size=(30, len(typed), 2))
    alleles[3, 1] = -1  # H untyped in family 3
    alleles[7] = -1  # nobody typed in family 7
    rates = (
        screen_mod.proportional_rate(m.male_matrix, m.freqs),
        screen_mod.proportional_rate(m.female_matrix, m.freqs),
    )
    assert rates[0] is not None and rates[1] is not None
    compact, lik = screen_mod._fast_posteriors(
        ped, "X", typed, alleles, m, rates, split=is_inbred(ped, "X")
    )
    post = expand_posterior(*compact)
    genos = [
        {
            typed[r]: (m.alleles[a[r, 0]], m.alleles[a[r, 1]])
            for r in range(len(typed))
            if a[r, 0] >= 0
        }
        for a in alleles
    ]
    want = genotype_posteriors(ped, genos, [m] * len(genos), "X")
    for b, (p, total) in enumerate(want):
        assert lik[b] == pytest.approx(total, rel=1e-12, abs=1e-300)
        np.testing.assert_allclose(post[b], p, rtol=1e-10, atol=1e-15)


def test_proportional_rate_detects_only_proportional_matrices() -> None:
    m = marker(None)
    assert screen_mod.proportional_rate(None, m.freqs) == 0.0
    assert screen_mod.proportional_rate(marker(PROP).male_matrix, m.freqs) > 0
    equal = marker(SexMutation(MutationSpec("equal", {"rate": 0.01}), None))
    assert screen_mod.proportional_rate(equal.male_matrix, m.freqs) is None

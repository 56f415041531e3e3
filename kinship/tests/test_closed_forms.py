"""Hand-derived LRs and brute-force enumeration checks of the peeling engine."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from kinship.case import Case, Family, Pedigree, Victim
from kinship.identify import pairwise_lr
from kinship.likelihood import marker_likelihood, observation_matrix
from kinship.markers import Marker
from kinship.mutation import MutationSpec, SexMutation

FREQS = (0.1, 0.2, 0.3, 0.4)
ALLELES = ("1", "2", "3", "4")


def marker(
    freqs: tuple[float, ...] = FREQS, mutation: SexMutation | None = None
) -> Marker:
    return Marker(
        "L", tuple(str(i + 1) for i in range(len(freqs))), np.array(freqs), mutation
    )


def ped(rows: list[tuple[str, str | None, str | None, int]]) -> Pedigree:
    return Pedigree.from_lists(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )


def one_pair_lr(
    rows: list[tuple[str, str | None, str | None, int]],
    refs: Mapping[str, tuple[str, str]],
    victim: tuple[str, str],
    missing: str = "M",
) -> float:
    p = ped(rows)
    sex = p.sex[p.index(missing)]
    case = Case(
        {"L": marker()},
        {"V": Victim("V", sex, {"L": victim})},
        {"F": Family("F", p, {k: {"L": g} for k, g in refs.items()})},
        [missing],
    )
    return pairwise_lr(case)["V"][missing]


pa, pb = 0.1, 0.2
TRIO = [("F", None, None, 1), ("MO", None, None, 2), ("M", "F", "MO", 1)]
FULLSIB = TRIO + [("S", "F", "MO", 1)]
HALFSIB = [
    ("F", None, None, 1),
    ("MO", None, None, 2),
    ("MO2", None, None, 2),
    ("S", "F", "MO", 1),
    ("M", "F", "MO2", 1),
]
COUSINS = [
    ("GF", None, None, 1),
    ("GM", None, None, 2),
    ("A", "GF", "GM", 1),
    ("B", "GF", "GM", 2),
    ("SA", None, None, 2),
    ("SB", None, None, 1),
    ("S", "A", "SA", 1),
    ("M", "SB", "B", 1),
]


@pytest.mark.parametrize(
    ("name", "rows", "refs", "victim", "expected"),
    [
        (
            "paternity a/b vs father a/a",
            [("M", "F", "MO", 1), ("F", None, None, 1), ("MO", None, None, 2)],
            {"F": ("1", "1")},
            ("1", "2"),
            1 / (2 * pa),
        ),
        ("child a/a father a/b", TRIO, {"F": ("1", "2")}, ("1", "1"), 1 / (2 * pa)),
        (
            "trio",
            TRIO,
            {"F": ("1", "1"), "MO": ("2", "2")},
            ("1", "2"),
            1 / (2 * pa * pb),
        ),
        (
            "full sibs het",
            FULLSIB,
            {"S": ("1", "2")},
            ("1", "2"),
            0.25 + (pa + pb) / (8 * pa * pb) + 1 / (8 * pa * pb),
        ),
        (
            "full sibs hom",
            FULLSIB,
            {"S": ("1", "1")},
            ("1", "1"),
            0.25 + 0.5 / pa + 0.25 / pa**2,
        ),
        (
            "half sibs het",
            HALFSIB,
            {"S": ("1", "2")},
            ("1", "2"),
            0.5 + (pa + pb) / (8 * pa * pb),
        ),
        (
            "first cousins het",
            COUSINS,
            {"S": ("1", "2")},
            ("1", "2"),
            0.75 + (pa + pb) / (16 * pa * pb),
        ),
        (
            "grandparent hom",
            [
                ("G", None, None, 1),
                ("GM", None, None, 2),
                ("P", "G", "GM", 1),
                ("X", None, None, 2),
                ("M", "P", "X", 1),
            ],
            {"G": ("1", "1")},
            ("1", "3"),
            0.5 + 0.5 / (2 * pa),
        ),
        ("untyped relative", FULLSIB, {}, ("1", "2"), 1.0),
        ("exclusion", TRIO, {"F": ("3", "3")}, ("1", "2"), 0.0),
    ],
)
def test_closed_form_lr(
    name: str,
    rows: list[Any],
    refs: dict[str, Any],
    victim: tuple[str, str],
    expected: float,
) -> None:
    assert one_pair_lr(rows, refs, victim) == pytest.approx(
        expected, rel=1e-9, abs=1e-15
    )


def brute_force(
    p: Pedigree,
    genos: Mapping[str, tuple[str, str]],
    m: Marker,
    dropout: Mapping[str, float] | None = None,
) -> float:
    """Sum over all ordered genotypes of all individuals."""
    n = m.n_alleles
    tm = m.male_matrix if m.male_matrix is not None else np.eye(n)
    tf = m.female_matrix if m.female_matrix is not None else np.eye(n)
    total = 0.0
    for config in itertools.product(range(n), repeat=2 * len(p)):
        prob = 1.0
        for k in range(len(p)):
            pat, mat = config[2 * k], config[2 * k + 1]
            f, mo = p.father[k], p.mother[k]
            if f < 0:
                prob *= m.freqs[pat]
            else:
                prob *= 0.5 * (tm[config[2 * f], pat] + tm[config[2 * f + 1], pat])
            if mo < 0:
                prob *= m.freqs[mat]
            else:
                prob *= 0.5 * (tf[config[2 * mo], mat] + tf[config[2 * mo + 1], mat])
            ident = p.ids[k]
            if ident in genos:
                a, b = (m.index(x) for x in genos[ident])
                d = (dropout or {}).get(ident, 0.0)
                prob *= observation_matrix(n, a, b, d)[pat, mat]
            if prob == 0.0:
                break
        total += prob
    return total


LOOP = [
    ("A", None, None, 1),
    ("B", None, None, 2),
    ("C", "A", "B", 1),
    ("D", "A", "B", 2),
    ("X", "C", "D", 1),
]  # sib mating: a loop
HALF = [
    ("F", None, None, 1),
    ("M1", None, None, 2),
    ("M2", None, None, 2),
    ("C1", "F", "M1", 1),
    ("C2", "F", "M2", 2),
]
MUT = SexMutation(
    MutationSpec("equal", {"rate": 0.05}), MutationSpec("proportional", {"rate": 0.1})
)
STEP = SexMutation(MutationSpec("stepwise", {"rate": 0.05, "range": 0.5}), None)


@pytest.mark.parametrize(
    ("rows", "genos", "freqs", "mutation", "dropout"),
    [
        (LOOP, {"X": ("1", "1"), "A": ("1", "2")}, (0.3, 0.7), None, None),
        (LOOP, {"X": ("1", "2"), "B": ("2", "2")}, (0.3, 0.7), MUT, None),
        (LOOP, {"X": ("1", "1"), "C": ("2", "2")}, (0.3, 0.7), None, None),
        (HALF, {"C1": ("1", "2"), "C2": ("2", "3")}, (0.2, 0.3, 0.5), None, None),
        (HALF, {"C1": ("1", "2"), "C2": ("3", "3")}, (0.2, 0.3, 0.5), MUT, {"C2": 0.1}),
        (HALF, {"C1": ("1", "1"), "M2": ("3", "3")}, (0.2, 0.3, 0.5), STEP, None),
        (TRIO, {"M": ("1", "3"), "F": ("2", "2")}, (0.2, 0.3, 0.5), MUT, None),
        (TRIO, {"M": ("1", "3"), "F": ("2", "2")}, (0.2, 0.3, 0.5), None, None),
    ],
)
def test_peeling_matches_brute_force(
    rows: list[Any],
    genos: dict[str, Any],
    freqs: tuple[Any, ...],
    mutation: SexMutation | None,
    dropout: dict[str, float] | None,
) -> None:
    p = ped(rows)
    m = marker(freqs, mutation)
    got = marker_likelihood(p, genos, m, dropout=dropout)
    assert got == pytest.approx(
        brute_force(p, genos, m, dropout), rel=1e-10, abs=1e-300
    )


def test_first_cousin_marriage_loop_matches_brute_force() -> None:
    rows = COUSINS[:6] + [("S", "A", "SA", 1), ("T", "SB", "B", 2), ("X", "S", "T", 1)]
    p = ped(rows)
    m = marker((0.4, 0.6))
    genos = {"X": ("1", "1"), "GF": ("1", "2"), "S": ("1", "2")}
    assert marker_likelihood(p, genos, m) == pytest.approx(
        brute_force(p, genos, m), rel=1e-10
    )


def test_dropout_population_term() -> None:
    from kinship.likelihood import hardy_weinberg, observation_probability

    d, p = 0.2, np.array(FREQS)
    got = observation_probability(hardy_weinberg(p), 0, 0, d)
    assert got == pytest.approx(
        p[0] ** 2 * (1 - d * d) + 2 * p[0] * (1 - p[0]) * d * (1 - d)
    )

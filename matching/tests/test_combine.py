from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from matching.combine import (
    Candidate,
    Evidence,
    Potential,
    dna_potentials,
    identify_body,
    identify_grave,
    joint_posteriors,
    physical_evidence,
    physical_potentials,
)
from matching.physical import compare
from matching.records import AMRecord, PMRecord


def cands(*lrs: float, weights: list[float] | None = None) -> list[Candidate]:
    w = weights or [1.0] * len(lrs)
    return [
        Candidate(f"C{i}", (Evidence("test", lr),), w[i]) for i, lr in enumerate(lrs)
    ]


def test_single_body_hand_computed() -> None:
    # priors 0.3 each and 0.1 unlisted; terms 3, 0.6, 0, 0.1 -> Z = 3.7
    bp = identify_body("B1", cands(10.0, 2.0, 0.0), p_unlisted=0.1)
    assert bp.posterior("C0") == pytest.approx(3 / 3.7)
    assert bp.posterior("C1") == pytest.approx(0.6 / 3.7)
    assert bp.posterior("C2") == 0.0
    assert bp.posterior_unlisted == pytest.approx(0.1 / 3.7)
    assert bp.top is not None and bp.top.person_id == "C0"


def test_weights_shift_the_prior() -> None:
    bp = identify_body("B1", cands(1.0, 1.0, weights=[3.0, 1.0]), p_unlisted=0.2)
    assert bp.posterior("C0") == pytest.approx(0.6)
    assert bp.posterior("C1") == pytest.approx(0.2)
    assert bp.posterior_unlisted == pytest.approx(0.2)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("p_unlisted", [0.0, 0.05, 0.5])
def test_posteriors_sum_to_one(seed: int, p_unlisted: float) -> None:
    rng = np.random.default_rng(seed)
    lrs = list(rng.lognormal(0, 3, 7))
    bp = identify_body("B", cands(*lrs), p_unlisted)
    total = bp.posterior_unlisted + sum(c.posterior for c in bp.candidates)
    assert total == pytest.approx(1.0)


def test_p_unlisted_must_be_valid() -> None:
    with pytest.raises(ValueError):
        identify_body("B", cands(1.0), p_unlisted=1.0)


def test_joint_hand_computed() -> None:
    # 2 bodies, 2 candidates, p_u = 0.5, uniform: prior of each assignment is
    # 0.25 (none listed) or 0.125 (one or two listed). Weights x LR:
    # (-,-) .25, (A,-) .5, (B,-) .125, (-,A) .125, (-,B) .5, (A,B) 2, (B,A) .125
    res = joint_posteriors(
        ["b1", "b2"], ["A", "B"], np.array([[4.0, 1.0], [1.0, 4.0]]), p_unlisted=0.5
    )
    z = 3.625
    assert res.marginals["b1"]["A"] == pytest.approx(2.5 / z)
    assert res.marginals["b1"]["B"] == pytest.approx(0.25 / z)
    assert res.marginals["b1"][None] == pytest.approx(0.875 / z)
    assert res.best == {"b1": "A", "b2": "B"}
    assert res.best_share == pytest.approx(2 / z)
    assert res.method == "exact" and res.n_assignments == 7


def brute_force(
    L: np.ndarray, w: list[float], p_u: float
) -> dict[tuple[int, int], float]:
    """Marginals by listing every partial injection (-1 = unlisted)."""
    m, n = L.shape
    total = 0.0
    acc: dict[tuple[int, int], float] = {}
    for assign in itertools.product(range(-1, n), repeat=m):
        used = [c for c in assign if c >= 0]
        if len(used) != len(set(used)):
            continue
        k = len(used)
        # sum over injective maps of k bodies of prod w = k! e_k(w)
        norm = sum(
            math.prod(w[c] for c in s) for s in itertools.permutations(range(n), k)
        )
        p = p_u ** (m - k) * (1 - p_u) ** k * math.prod(w[c] for c in used) / norm
        for b, c in enumerate(assign):
            if c >= 0:
                p *= L[b, c]
        total += p
        for b, c in enumerate(assign):
            acc[(b, c)] = acc.get((b, c), 0.0) + p
    return {key: v / total for key, v in acc.items()}


@pytest.mark.parametrize("seed", range(4))
def test_joint_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    L = rng.lognormal(0, 2, (3, 4))
    L[0, 2] = 0.0  # an exclusion
    w = [1.0, 2.0, 0.5, 1.0]
    bf = brute_force(L, w, 0.2)
    bodies, cs = ["x", "y", "z"], ["A", "B", "C", "D"]
    exact = joint_posteriors(bodies, cs, L, 0.2, w)
    murty = joint_posteriors(
        bodies, cs, L, 0.2, w, max_exact=0, k_best=10_000, rel_tol=1e-300
    )
    assert exact.method == "exact" and murty.method.startswith("murty")
    for b in range(3):
        for c in range(-1, 4):
            key = cs[c] if c >= 0 else None
            expected = bf.get((b, c), 0.0)
            assert exact.marginals[bodies[b]][key] == pytest.approx(expected, abs=1e-12)
            assert murty.marginals[bodies[b]][key] == pytest.approx(expected, abs=1e-12)
    assert exact.marginals["x"]["C"] == 0.0
    for body in bodies:
        assert sum(exact.marginals[body].values()) == pytest.approx(1.0)


def test_joint_with_one_body_equals_single_body() -> None:
    cs = cands(10.0, 2.0, 0.5, weights=[1.0, 2.0, 1.0])
    single = identify_body("B", cs, 0.15)
    joint = joint_posteriors(
        ["B"],
        [c.person_id for c in cs],
        np.array([[10.0, 2.0, 0.5]]),
        0.15,
        [1.0, 2.0, 1.0],
    )
    for c in cs:
        assert joint.marginals["B"][c.person_id] == pytest.approx(
            single.posterior(c.person_id)
        )
    assert joint.marginals["B"][None] == pytest.approx(single.posterior_unlisted)


def test_identify_grave_competition() -> None:
    # Both bodies prefer A, but b2 fits B too: the joint pushes b2 towards B.
    grave = {
        "b1": [Candidate("A", (Evidence("dna", 1000.0),)), Candidate("B")],
        "b2": [
            Candidate("A", (Evidence("physical", 50.0),)),
            Candidate("B", (Evidence("physical", 20.0),)),
        ],
    }
    out = identify_grave(grave, p_unlisted=0.1)
    independent = identify_body("b2", grave["b2"], 0.1)
    assert out["b2"].posterior("B") > independent.posterior("B")
    assert out["b1"].top is not None and out["b1"].top.person_id == "A"
    for bp in out.values():
        assert bp.posterior_unlisted + sum(c.posterior for c in bp.candidates) == (
            pytest.approx(1.0)
        )


def test_suggestions_rank_the_biggest_change_first() -> None:
    c = Candidate(
        "A",
        (Evidence("journal", 20.0),),
        potentials=(
            Potential("physical:hair_colour", 0.3, "hair", "волосся"),
            *dna_potentials("A", {"full_sibling": 4.0, "cousin": 0.5}),
        ),
    )
    bp = identify_body("B", [c, Candidate("X"), Candidate("Y")], 0.1)
    top = bp.candidates[0]
    assert [s.action for s in top.suggestions] == [
        "dna:full_sibling",
        "dna:cousin",
        "physical:hair_colour",
    ]
    prior = 0.3
    new = prior * 20 * 1e4
    assert top.suggestions[0].posterior_if == pytest.approx(new / (new + 0.1 + 0.6))
    assert "рідний брат або сестра" in top.suggestions[0].text_uk


def test_physical_evidence_and_potentials() -> None:
    am = AMRecord(
        "P",
        sex="male",
        stature_cm=180,
        stature_source="id_document",
        hair_colour="brown",
    )
    pm = PMRecord("B", sex="male")
    comp = compare(am, pm)
    ev = physical_evidence(comp)
    assert ev.lr == pytest.approx(comp.lr)
    pots = {p.action: p for p in physical_potentials(am, pm)}
    assert set(pots) == {"physical:stature", "physical:hair_colour"}
    assert pots["physical:hair_colour"].log10_lr > 0
    excluded = physical_evidence(compare(am, PMRecord("B", sex="female")))
    assert excluded.lr == 0.0 and excluded.explanation_en.startswith("EXCLUDED")


def test_explanation_in_both_languages() -> None:
    bp = identify_body("B1", cands(10.0, 2.0), 0.1)
    en, uk = bp.explanation("en"), bp.explanation("uk")
    assert "posterior" in en and "0.818" in en
    assert "апостеріорна" in uk and "0.818" in uk

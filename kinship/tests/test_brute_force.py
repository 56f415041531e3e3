"""The engine against brute-force enumeration on random small pedigrees.

The reference lives here only.  It sums over every assignment of founder
alleles and, without mutation, over every inheritance vector (which parental
allele each child received); with mutation it sums over every ordered
genotype of every person, the two inheritance choices of each transmission
added up.  Founder alleles are drawn with the theta correction by its
definition (one allele after the other from the subpopulation); victims may
have allele drop-out.  Nothing is pruned, lumped or eliminated, so loops,
inbreeding and untyped members are all covered by the same plain sum.

The random cases (a fixed seed, a few hundred per run) mix founders,
half-siblings, matings between relatives (loops, inbred missing persons),
typed and untyped members, one or two markers of 3-5 alleles, no/equal/
proportional mutation, theta and drop-out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from kinship.case import Case, Family, Pedigree, Victim
from kinship.identify import pairwise_lr
from kinship.likelihood import (
    evidence_likelihoods,
    genotype_posterior,
    hardy_weinberg,
    marker_likelihood,
)
from kinship.markers import Marker
from kinship.mutation import MutationSpec, SexMutation
from kinship.screen import screen_case

SEED = 20
N_CASES = 240
REL = 1e-12


# ------------------------------------------------------------- the reference


def seen(a: int, b: int, x: np.ndarray, y: np.ndarray, d: float) -> np.ndarray:
    """``P(observed a/b | true ordered x/y)`` with per-copy drop-out ``d``."""
    if a != b:
        hit = ((x == a) & (y == b)) | ((x == b) & (y == a))
        return np.asarray(hit * (1.0 - d) ** 2)
    both = (x == a) & (y == a)
    one = (x == a) != (y == a)
    return np.asarray(both * (1.0 - d * d) + one * d * (1.0 - d))


def urn(values: Sequence[np.ndarray], p: np.ndarray, theta: float) -> np.ndarray:
    """Probability of drawing founder alleles ``values`` in this order.

    Balding-Nichols sampling: the j-th allele (j from 1) is ``a`` with
    probability ``(b theta + (1 - theta) p_a) / (1 + (j - 2) theta)``, ``b``
    the number of earlier draws of ``a``.
    """
    out = np.ones(len(values[0]) if values else 1)
    for j, v in enumerate(values, start=1):
        before = sum((values[i] == v).astype(float) for i in range(j - 1))
        out = out * (before * theta + (1 - theta) * p[v]) / (1 + (j - 2) * theta)
    return out


def every(base: int, count: int) -> np.ndarray:
    """All ``count``-tuples over ``range(base)`` as columns, ``(count, base**count)``."""
    return np.indices((base,) * count).reshape(count, base**count)


@dataclass
class Ped:
    """Parent positions (-1: founder side) in topological order, and sexes."""

    father: list[int]
    mother: list[int]
    sex: list[int]

    def slots(self) -> list[tuple[int, int, int]]:
        """``(slot, parent, sex of parent)`` for the 2N allele slots."""
        out = []
        for k in range(len(self.sex)):
            out.append((2 * k, self.father[k], 1))
            out.append((2 * k + 1, self.mother[k], 2))
        return out


def brute_likelihood(
    ped: Ped,
    p: np.ndarray,
    male: np.ndarray | None,
    female: np.ndarray | None,
    theta: float,
    obs: Mapping[int, tuple[int, int, float]],
) -> float:
    """``P(obs)``: the plain sum over founder alleles and inheritance."""
    n = len(p)
    slots = ped.slots()
    founders = [s for s, par, _ in slots if par < 0]
    children = [(s, par, sx) for s, par, sx in slots if par >= 0]
    if male is None and female is None:
        # Founder alleles x inheritance vectors, both enumerated.
        fgrid = every(n, len(founders))
        igrid = every(2, len(children))
        val: dict[int, np.ndarray] = {}
        for i, s in enumerate(founders):
            val[s] = np.broadcast_to(
                fgrid[i][:, None], (fgrid.shape[1], igrid.shape[1])
            )
        for i, (s, par, _) in enumerate(children):
            pick = igrid[i][None, :]
            val[s] = np.where(pick == 0, val[2 * par], val[2 * par + 1])
        weight = urn([fgrid[i] for i in range(len(founders))], p, theta)[:, None]
        weight = np.broadcast_to(weight, val[slots[0][0]].shape).copy()
        for k, (a, b, d) in obs.items():
            weight *= seen(a, b, val[2 * k], val[2 * k + 1], d)
        return math.fsum(weight.ravel()) / float(2 ** len(children))
    # Every ordered genotype of everyone; each transmission sums its two
    # inheritance choices.
    grid = every(n, len(slots))
    weight = urn([grid[s] for s in founders], p, theta)
    for s, par, sx in children:
        mat = male if sx == 1 else female
        mat = np.eye(n) if mat is None else mat
        weight = (
            weight
            * 0.5
            * (mat[grid[2 * par], grid[s]] + mat[grid[2 * par + 1], grid[s]])
        )
    for k, (a, b, d) in obs.items():
        weight = weight * seen(a, b, grid[2 * k], grid[2 * k + 1], d)
    return math.fsum(weight)


# ---------------------------------------------------------------- the cases


@dataclass
class RandomCase:
    ped: Ped
    markers: list[Marker]
    theta: float
    dropout: float
    refs: dict[int, list[tuple[int, int]]]  # person -> per-marker genotype
    missing: int
    missing2: int | None
    victim: list[tuple[int, int]]
    victim2: list[tuple[int, int]]


def random_pedigree(rng: np.random.Generator) -> Ped:
    """3-8 people; children of relatives, half-sibs and single parents occur."""
    size = int(rng.integers(3, 9))
    father, mother, sex = [-1, -1], [-1, -1], [1, 2]
    while len(sex) < size:
        k = len(sex)
        men = [i for i in range(k) if sex[i] == 1]
        women = [i for i in range(k) if sex[i] == 2]
        r = rng.random()
        if r < 0.2:
            father.append(-1)
            mother.append(-1)
        elif r < 0.3:
            # One known parent: the other side is a founder allele.
            if rng.random() < 0.5:
                father.append(int(rng.choice(men)))
                mother.append(-1)
            else:
                father.append(-1)
                mother.append(int(rng.choice(women)))
        else:
            # Prefer late (related) parents: loops and inbreeding.
            father.append(int(men[-1 - int(rng.integers(0, min(3, len(men))))]))
            mother.append(int(women[-1 - int(rng.integers(0, min(3, len(women))))]))
        sex.append(int(rng.integers(1, 3)))
    return Ped(father, mother, sex)


MUTATIONS = [
    None,
    SexMutation(
        MutationSpec("equal", {"rate": 0.05}), MutationSpec("equal", {"rate": 0.02})
    ),
    SexMutation(
        MutationSpec("proportional", {"rate": 0.08}),
        MutationSpec("proportional", {"rate": 0.03}),
    ),
]


def gene_drop(
    ped: Ped, marker: Marker, rng: np.random.Generator
) -> list[tuple[int, int]]:
    n = marker.n_alleles
    eye = np.eye(n)
    male = marker.male_matrix if marker.male_matrix is not None else eye
    female = marker.female_matrix if marker.female_matrix is not None else eye
    out: list[tuple[int, int]] = []
    for k in range(len(ped.sex)):
        pair = []
        for par, mat in ((ped.father[k], male), (ped.mother[k], female)):
            if par < 0:
                pair.append(int(rng.choice(n, p=marker.freqs)))
            else:
                a = out[par][int(rng.integers(2))]
                pair.append(int(rng.choice(n, p=mat[a])))
        out.append((pair[0], pair[1]))
    return out


def random_case(rng: np.random.Generator) -> RandomCase:
    while True:
        ped = random_pedigree(rng)
        mutation = MUTATIONS[int(rng.integers(len(MUTATIONS)))]
        n_markers = int(rng.integers(1, 3))
        sizes = [int(rng.integers(3, 6)) for _ in range(n_markers)]
        people = len(ped.sex)
        founders = sum(f < 0 for f in ped.father) + sum(m < 0 for m in ped.mother)
        children = 2 * people - founders
        if mutation is None:
            work = max(sizes) ** founders * 2**children
        else:
            work = max(sizes) ** (2 * people)
        if work <= (300_000 if mutation is not None else 2_000_000):
            break
    markers = []
    for i, n in enumerate(sizes):
        freqs = rng.dirichlet(np.full(n, 2.0)) + 0.02
        markers.append(
            Marker(
                f"L{i}",
                tuple(str(a + 1) for a in range(n)),
                freqs / freqs.sum(),
                mutation,
            )
        )
    theta = float(rng.choice([0.0, 0.0, 0.03, 0.1]))
    dropout = float(rng.choice([0.0, 0.0, 0.1]))
    truth = [gene_drop(ped, m, rng) for m in markers]
    order = [int(x) for x in rng.permutation(people)]
    missing = order[0]
    missing2 = order[1] if people > 3 and rng.random() < 0.5 else None
    typed = [k for k in order[2:] if rng.random() < 0.6]
    refs = {k: [truth[i][k] for i in range(n_markers)] for k in typed}

    def some_victim(true_person: int) -> list[tuple[int, int]]:
        if rng.random() < 0.6:
            return [truth[i][true_person] for i in range(n_markers)]
        other = [gene_drop(ped, m, rng) for m in markers]
        return [other[i][0] for i in range(n_markers)]

    victim = some_victim(missing)
    victim2 = some_victim(missing2 if missing2 is not None else missing)
    return RandomCase(
        ped, markers, theta, dropout, refs, missing, missing2, victim, victim2
    )


def engine_pedigree(ped: Ped) -> Pedigree:
    ids = [f"P{k}" for k in range(len(ped.sex))]
    return Pedigree.from_lists(
        ids,
        [None if f < 0 else ids[f] for f in ped.father],
        [None if m < 0 else ids[m] for m in ped.mother],
        ped.sex,
    )


def name(marker: Marker, g: tuple[int, int]) -> tuple[str, str]:
    return (marker.alleles[g[0]], marker.alleles[g[1]])


def brute(
    c: RandomCase,
    i: int,
    extra: Mapping[int, tuple[tuple[int, int], float]] | None = None,
) -> float:
    m = c.markers[i]
    obs: dict[int, tuple[int, int, float]] = {
        k: (g[i][0], g[i][1], 0.0) for k, g in c.refs.items()
    }
    for k, (g, d) in (extra or {}).items():
        obs[k] = (g[0], g[1], d)
    return brute_likelihood(
        c.ped, m.freqs, m.male_matrix, m.female_matrix, c.theta, obs
    )


def brute_victim(c: RandomCase, i: int, g: tuple[int, int]) -> float:
    m = c.markers[i]
    single = Ped([-1], [-1], [0])
    return brute_likelihood(
        single, m.freqs, None, None, c.theta, {0: (g[0], g[1], c.dropout)}
    )


def as_case(c: RandomCase) -> Case:
    ped = engine_pedigree(c.ped)
    ids = ped.ids
    profile = {m.name: name(m, c.victim[i]) for i, m in enumerate(c.markers)}
    refs = {
        ids[j]: {m.name: name(m, g[i]) for i, m in enumerate(c.markers)}
        for j, g in c.refs.items()
    }
    return Case(
        {m.name: m for m in c.markers},
        {"V": Victim("V", c.ped.sex[c.missing], profile)},
        {"F": Family("F", ped, refs)},
        [ids[c.missing]],
    )


def brute_lr(c: RandomCase, ref_lik: Sequence[float]) -> float:
    lr = 1.0
    for i in range(len(c.markers)):
        if ref_lik[i] == 0.0:
            continue  # the engine ignores a marker where the family is impossible
        joint = brute(c, i, {c.missing: (c.victim[i], c.dropout)})
        lr *= joint / (ref_lik[i] * brute_victim(c, i, c.victim[i]))
    return lr


CASES = [random_case(np.random.default_rng([SEED, k])) for k in range(N_CASES)]


def test_the_random_cases_cover_what_matters() -> None:
    from kinship.likelihood import is_inbred

    inbred = sum(is_inbred(engine_pedigree(c.ped), f"P{c.missing}") for c in CASES)
    assert inbred >= 20
    assert sum(c.theta > 0 for c in CASES) >= 60
    assert sum(c.dropout > 0 for c in CASES) >= 40
    assert sum(c.markers[0].male_matrix is not None for c in CASES) >= 60
    assert sum(len(c.refs) == 0 for c in CASES) >= 5
    assert sum(len(c.ped.sex) >= 7 for c in CASES) >= 15


@pytest.mark.parametrize("k", range(N_CASES))
def test_engine_matches_brute_force(k: int) -> None:
    c = CASES[k]
    ped = engine_pedigree(c.ped)
    ids = ped.ids
    miss = ids[c.missing]
    # 1. Reference likelihood per marker.
    ref_lik = []
    for i, m in enumerate(c.markers):
        genos = {ids[j]: name(m, g[i]) for j, g in c.refs.items()}
        want = brute(c, i)
        got = marker_likelihood(ped, genos, m, theta=c.theta)
        assert got == pytest.approx(want, rel=REL, abs=1e-300)
        ref_lik.append(want)
    # 2. Pairwise LR of the victim as the missing person.
    case = as_case(c)
    want_lr = brute_lr(c, ref_lik)
    got_lr = pairwise_lr(case, dropout=c.dropout, theta=c.theta)["V"][miss]
    assert got_lr == pytest.approx(want_lr, rel=1e-11, abs=1e-300)
    # 3. Screening gives the pairwise LR.
    res = screen_case(case, threshold=0.0, top_k=1, dropout=c.dropout, theta=c.theta)
    (cand,) = res.top["V"]
    if want_lr == 0.0:
        assert cand.inconsistent > 0
    else:
        assert cand.inconsistent == 0
        assert cand.log10_lr == pytest.approx(math.log10(want_lr), abs=1e-11)
    # 4. Two victims placed jointly (joint identification's family term).
    if c.missing2 is not None:
        for i, m in enumerate(c.markers):
            refs = {ids[j]: name(m, g[i]) for j, g in c.refs.items()}
            slots = [miss, ids[c.missing2]]
            options = [[name(m, c.victim[i])], [name(m, c.victim2[i])]]
            choice = np.array([[0, 0], [0, -1], [-1, 0]])
            rows = evidence_likelihoods(
                ped,
                refs,
                m,
                slots,
                options,
                choice,
                dropout=c.dropout,
                theta=c.theta,
            )
            want_rows = [
                brute(
                    c,
                    i,
                    {
                        c.missing: (c.victim[i], c.dropout),
                        c.missing2: (c.victim2[i], c.dropout),
                    },
                ),
                brute(c, i, {c.missing: (c.victim[i], c.dropout)}),
                brute(c, i, {c.missing2: (c.victim2[i], c.dropout)}),
            ]
            np.testing.assert_allclose(rows, want_rows, rtol=REL, atol=1e-300)


def test_population_term_is_a_founder_drawn_with_theta() -> None:
    p = np.array([0.1, 0.2, 0.3, 0.4])
    for theta in (0.0, 0.01, 0.2):
        table = hardy_weinberg(p, theta)
        for a, b in itertools.product(range(4), repeat=2):
            want = brute_likelihood(
                Ped([-1], [-1], [0]), p, None, None, theta, {0: (a, b, 0.0)}
            )
            got = table[a, b] + (table[b, a] if a != b else 0.0)
            assert got == pytest.approx(want, rel=1e-14)


THETA_CASES = [k for k, c in enumerate(CASES) if c.theta > 0][:25]


@pytest.mark.parametrize("method", ["quadrature", "partitions"])
@pytest.mark.parametrize("k", THETA_CASES)
def test_every_theta_method_matches_brute_force(
    k: int, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kinship import likelihood

    monkeypatch.setattr(likelihood, "THETA_TABLE_CELLS", 0)
    monkeypatch.setattr(likelihood, "THETA_MAX_COST", 10**30)
    monkeypatch.setattr(
        likelihood,
        "THETA_PARTITION_COST",
        10**12 if method == "quadrature" else 1e-12,
    )
    c = CASES[k]
    ped = engine_pedigree(c.ped)
    ids = ped.ids
    ref_lik = [brute(c, i) for i in range(len(c.markers))]
    got_lr = pairwise_lr(as_case(c), dropout=c.dropout, theta=c.theta)["V"]
    assert got_lr[ids[c.missing]] == pytest.approx(
        brute_lr(c, ref_lik), rel=1e-11, abs=1e-300
    )
    for i, m in enumerate(c.markers):
        genos = {ids[j]: name(m, g[i]) for j, g in c.refs.items()}
        genos[ids[c.missing]] = name(m, c.victim[i])
        want = brute(c, i, {c.missing: (c.victim[i], 0.0)})
        got = marker_likelihood(ped, genos, m, theta=c.theta)
        assert got == pytest.approx(want, rel=1e-11, abs=1e-300)
        post, total = genotype_posterior(
            ped, genos, m, ids[c.missing2 or 0], theta=c.theta
        )
        assert total == pytest.approx(want, rel=1e-11, abs=1e-300)


def test_a_theta_too_large_to_compute_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kinship import likelihood
    from kinship.errors import KinshipWarning

    c = next(c for c in CASES if c.theta > 0 and len(c.refs) >= 2)
    monkeypatch.setattr(likelihood, "THETA_TABLE_CELLS", 0)
    monkeypatch.setattr(likelihood, "THETA_MAX_COST", 0)
    ped = engine_pedigree(c.ped)
    m = c.markers[0]
    genos = {ped.ids[j]: name(m, g[0]) for j, g in c.refs.items()}
    with pytest.warns(KinshipWarning, match="theta correction"):
        got = marker_likelihood(ped, genos, m, theta=c.theta)
    assert got == pytest.approx(marker_likelihood(ped, genos, m), rel=1e-12)

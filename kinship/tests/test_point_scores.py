"""A few victims' scores computed at their genotypes (``_targets_scores``) are
those of the targets' whole tables (``_targets_tables``), and ``screen_pairs``
keeps the same pairs either way."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

from kinship.case import Family, Pedigree
from kinship.markers import Marker
from kinship.mutation import MutationSpec, SexMutation

screen_mod = importlib.import_module("kinship.screen")

PROP = SexMutation(
    MutationSpec("proportional", {"rate": 0.01}),
    MutationSpec("proportional", {"rate": 0.002}),
)
STEP = SexMutation(MutationSpec("stepwise", {"rate": 0.02, "range": 0.5}), None)


def _marker(name: str, n: int, mutation: SexMutation | None = None) -> Marker:
    freqs = np.linspace(1.0, 3.0, n)
    return Marker(
        name, tuple(str(10 + i) for i in range(n)), freqs / freqs.sum(), mutation
    )


def _pedigrees() -> list[tuple[Pedigree, str, list[str]]]:
    """(pedigree, missing person, typed references): a trio, siblings, a
    spouse and child, and a child of first cousins (inbred: the lump is split)."""
    trio = Pedigree.from_lists(
        ["F", "MO", "M"], [None, None, "F"], [None, None, "MO"], [1, 2, 1]
    )
    sibs = Pedigree.from_lists(
        ["F", "MO", "M", "S1", "S2"],
        [None, None, "F", "F", "F"],
        [None, None, "MO", "MO", "MO"],
        [1, 2, 1, 2, 1],
    )
    spouse = Pedigree.from_lists(
        ["M", "SP", "C"], [None, None, "M"], [None, None, "SP"], [1, 2, 1]
    )
    cousins = Pedigree.from_lists(
        ["GF", "GM", "A", "B", "W1", "W2", "C1", "C2", "M"],
        [None, None, "GF", "GF", None, None, "A", "W2", "C1"],
        [None, None, "GM", "GM", None, None, "W1", "B", "C2"],
        [1, 2, 1, 2, 2, 1, 1, 2, 1],
    )
    return [
        (trio, "M", ["F"]),
        (trio, "M", ["F", "MO"]),
        (sibs, "M", ["S1", "S2"]),
        (spouse, "M", ["SP", "C"]),
        (cousins, "M", ["GF", "C2"]),
    ]


def _case(
    markers: list[Marker], seed: int
) -> tuple[dict[str, dict[str, tuple[str, str]]], list[tuple[Family, str]]]:
    rng = np.random.default_rng(seed)
    mk = {m.name: m for m in markers}
    targets: list[tuple[Family, str]] = []
    truths = []
    for i in range(40):
        ped, missing, refs = _pedigrees()[i % 5]
        g = screen_mod.simulate_genotypes(ped, mk, rng)
        genos = {r: dict(g[r]) for r in refs}
        if i % 7 == 3:  # a reference untyped at one marker
            genos[refs[0]].pop(markers[1].name)
        if i % 11 == 5:  # references impossible together at one marker
            genos[refs[0]][markers[2].name] = ("10", "10")
            if len(refs) > 1:
                genos[refs[1]][markers[2].name] = ("10", "10")
            genos[refs[0]][markers[2].name] = ("11", "11")
        targets.append((Family(f"fam{i:02d}", ped, genos), missing))
        truths.append(g[missing])
    victims: dict[str, dict[str, tuple[str, str]]] = {
        "true": dict(truths[0]),
        "inbred": dict(truths[4]),
        "random": {
            m.name: (
                m.alleles[rng.integers(m.n_alleles)],
                m.alleles[rng.integers(m.n_alleles)],
            )
            for m in markers
        },
        # Homozygous everywhere, and a partial profile with an unknown allele.
        "homozygous": {m.name: (m.alleles[1], m.alleles[1]) for m in markers},
        "partial": {markers[0].name: ("10", "99"), markers[2].name: ("12", "11")},
    }
    return victims, targets


def _table_scores(
    victims: Any, targets: Any, markers: list[Marker], dropout: float, theta: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    names, vidx, _row = screen_mod._victim_rows(victims, markers)
    table = screen_mod._targets_tables(targets, markers, dropout, theta)
    acc = np.take(table, vidx[0], axis=0)
    for m in range(1, len(markers)):
        acc += np.take(table, vidx[m], axis=0)
    return names, vidx, acc


@pytest.mark.parametrize(
    ("mutation", "dropout", "theta"),
    [
        (None, 0.0, 0.0),
        (None, 0.1, 0.0),
        (PROP, 0.05, 0.0),
        (STEP, 0.05, 0.0),  # not proportional: every posterior in full
        (None, 0.05, 0.02),  # theta: every posterior in full
    ],
)
def test_scores_at_the_victims_genotypes_are_the_tables_sums(
    mutation: SexMutation | None, dropout: float, theta: float
) -> None:
    markers = [_marker(f"L{i}", n, mutation) for i, n in enumerate((4, 7, 9, 12))]
    victims, targets = _case(markers, seed=len(str(mutation)) + int(dropout * 100))
    names, vidx, want = _table_scores(victims, targets, markers, dropout, theta)
    got = screen_mod._targets_scores(targets, markers, dropout, theta, vidx)
    assert got.shape == (len(victims), len(targets))
    np.testing.assert_array_equal(got, want)  # to the bit
    # The case has every kind of cell: exclusions (none where mutation goes
    # both ways), impossible references (0) and LRs above and below 1.
    assert (want < screen_mod.EXCLUDED / 2).any() == (mutation is not PROP)
    assert (want > 0).any() and ((want < 0) & (want > screen_mod.EXCLUDED / 2)).any()


def test_screen_pairs_keeps_the_same_pairs_with_or_without_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    markers = [_marker(f"L{i}", n) for i, n in enumerate((5, 8, 10, 6, 11))]
    mk = {m.name: m for m in markers}
    victims, targets = _case(markers, seed=9)
    assert len(victims) <= screen_mod.POINT_VICTIMS
    point = screen_mod.screen_pairs(
        victims, targets, mk, threshold=1e-3, dropout=0.1, block=7
    )
    monkeypatch.setattr(screen_mod, "POINT_VICTIMS", 0)
    tables = screen_mod.screen_pairs(
        victims, targets, mk, threshold=1e-3, dropout=0.1, block=7
    )
    assert point[0] == tables[0]
    for a, b in zip(point[1:], tables[1:], strict=True):
        np.testing.assert_array_equal(a, b)
    assert 0 < len(point[1]) < len(victims) * len(targets)


def test_a_block_of_the_expanded_posterior_is_that_of_the_whole_table() -> None:
    likelihood = importlib.import_module("kinship.likelihood")
    rng = np.random.default_rng(1)
    batch, s, n = 6, 5, 9
    freqs = rng.dirichlet(np.ones(n))
    index = rng.integers(0, s - 1, size=(batch, n))
    is_lump = rng.random((batch, n)) < 0.5
    for split in (False, True):
        post = rng.random((batch, s, s))
        post /= post.sum(axis=(1, 2), keepdims=True)
        idx = np.where(is_lump, s - 2 if split else s - 1, index)
        whole = likelihood.expand_posterior(post, idx, is_lump, freqs, split)
        xs, ys = np.array([1, 4, 8]), np.array([0, 4, 5, 8])
        part = likelihood.expand_posterior(post, idx, is_lump, freqs, split, xs, ys)
        np.testing.assert_array_equal(part, whole[:, xs][:, :, ys])
        # C-ordered: the sums over a table add in one order, whichever
        # rows were asked for (else an update's LRs differ in the last bit
        # from a full computation's).
        assert whole.flags.c_contiguous and part.flags.c_contiguous

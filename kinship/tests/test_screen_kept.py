"""``screen_kept`` keeps exactly the pairs its cut-off rule names, in blocks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from kinship.case import Family, Pedigree
from kinship.markers import load_frequency_table
from kinship.screen import (
    KeptScreen,
    decode_score,
    screen,
    screen_kept,
    simulate_genotypes,
)

MARKERS = dict(list(load_frequency_table().items())[:12])


def _trio() -> Pedigree:
    return Pedigree.from_lists(
        ["F", "M", "C"], [None, None, "F"], [None, None, "M"], [1, 2, 1]
    )


def _case(seed: int, n_fam: int = 30, n_vic: int = 25) -> Any:
    rng = np.random.default_rng(seed)
    targets, victims, vsex, tsex = [], {}, [], []
    for i in range(n_fam):
        ped = _trio()
        g = simulate_genotypes(ped, MARKERS, rng)
        refs = {"F": g["F"]} if i % 3 else {"F": g["F"], "M": g["M"]}
        targets.append((Family(f"fam{i:02d}", ped, refs), "C"))
        tsex.append([0, 1, 2][i % 3])
        if i < n_vic:
            prof = dict(g["C"])
            if i % 4 == 0:  # a partial profile
                prof = dict(list(prof.items())[:6])
            victims[f"v{i:02d}"] = prof
            vsex.append([1, 2, 0, 1][i % 4])
    return victims, targets, vsex, tsex


def _expected(
    victims: Any, targets: Any, vsex: Any, tsex: Any, threshold: float, top_k: int
) -> set[tuple[str, str]]:
    full = screen(victims, targets, MARKERS, threshold=0.0, top_k=1)
    scores = {}
    for c in full.candidates:
        score = c.log10_lr * math.log(10) - 1.0e4 * c.inconsistent
        scores[(c.victim, c.family)] = score
    out = set()
    for v, name in enumerate(victims):
        ok = [
            (scores[(name, fam.name)], fam.name)
            for t, (fam, _m) in enumerate(targets)
            if not (vsex[v] and tsex[t] and vsex[v] != tsex[t])
        ]
        ranked = sorted((s for s, _f in ok), reverse=True)
        kth = ranked[top_k - 1] if len(ranked) >= top_k else -math.inf
        cut = min(math.log(threshold), kth)
        out |= {(name, f) for s, f in ok if s >= cut - 1e-9}
    return out


@pytest.mark.parametrize(
    ("seed", "threshold", "top_k", "block"),
    [(1, 1e4, 3, 512), (2, 1e2, 1, 7), (3, 1e30, 5, 4), (4, 1.0, 2, 1)],
)
def test_kept_pairs_are_those_at_or_above_each_victims_cutoff(
    seed: int, threshold: float, top_k: int, block: int
) -> None:
    victims, targets, vsex, tsex = _case(seed)
    kept = screen_kept(
        victims, targets, MARKERS, threshold=threshold, top_k=top_k, block=block,
        victim_sex=vsex, target_sex=tsex,
    )  # fmt: skip
    got = {
        (kept.victims[v], targets[t][0].name)
        for v, t in zip(kept.victim, kept.target, strict=True)
    }
    assert got == _expected(victims, targets, vsex, tsex, threshold, top_k)
    assert kept.n_pairs == len(victims) * len(targets)


def test_per_marker_lrs_sum_to_the_score() -> None:
    victims, targets, vsex, tsex = _case(5)
    kept = screen_kept(victims, targets, MARKERS, threshold=1e3, top_k=4)
    assert len(kept.victim)
    for i in range(len(kept.victim)):
        per = kept.log_lr[i]
        log10, bad = decode_score(kept.score[i])
        assert bad == int(np.sum(per == -np.inf))
        finite = per[np.isfinite(per)]
        assert math.isclose(finite.sum() / math.log(10), log10, abs_tol=1e-9)
        typed = kept.typed[kept.victim[i]]
        assert np.all(np.isnan(per[~typed]))


def test_screening_in_parts_equals_screening_at_once() -> None:
    victims, targets, vsex, tsex = _case(6)
    whole = screen_kept(
        victims, targets, MARKERS, top_k=3, victim_sex=vsex, target_sex=tsex
    )
    run = KeptScreen(victims, MARKERS, top_k=3, victim_sex=vsex)
    for start in range(0, len(targets), 4):
        run.add(targets[start : start + 4], tsex[start : start + 4])
    parts = run.result()
    assert np.array_equal(whole.victim, parts.victim)
    assert np.array_equal(whole.target, parts.target)
    assert np.allclose(whole.score, parts.score)
    assert np.allclose(whole.log_lr, parts.log_lr, equal_nan=True)

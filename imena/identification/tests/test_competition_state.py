"""The competition kept and extended with new reports equals a full one (#13 item 3).

``CompetitionState.append`` adds persons to a site's competition without
computing it again over every pair; its weights and prior masses must be
those of ``sparse_competition`` over the new rows, to the bit (the grid
points of the factors depend on them), and it must name every body whose
weights or prior mass changed.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from imena.identification import engine
from imena.identification.engine import CompetitionState, Params, sparse_competition
from matching.documentary import Reliability


def _rows(rng, n_bodies, persons, density, strong):
    idx, tot = [], []
    for _ in range(n_bodies):
        js = np.nonzero(rng.random(len(persons)) < density)[0]
        t = 10.0 ** rng.normal(0, 2, len(js))
        t[np.isin(js, strong)] *= 1e4
        idx.append(persons[js].astype(np.int32))
        tot.append(t)
    return idx, tot


def _graves(rng, layout, n_bodies):
    """Each body's grave: alone, two by two, or mixed at random."""
    if layout == "alone":
        return [f"g{i}" for i in range(n_bodies)]
    if layout == "pairs":
        return [f"g{i // 2}" for i in range(n_bodies)]
    return [f"g{rng.integers(0, n_bodies // 2)}" for _ in range(n_bodies)]


def _full(idx, tot, base, graves, params, record=None):
    return sparse_competition(idx, tot, base, graves, params, record=record)


@pytest.mark.parametrize(
    ("seed", "n_bodies", "n_persons", "grid", "layout"),
    [
        (1, 40, 300, 128, "mixed"),
        (2, 30, 200, 8, "mixed"),
        (3, 25, 150, 2, "alone"),
        (4, 20, 120, 1, "pairs"),
        (5, 35, 250, 128, "alone"),
    ],
)
def test_appended_persons_give_the_full_competition(
    seed: int, n_bodies: int, n_persons: int, grid: int, layout: str
) -> None:
    rng = np.random.default_rng(seed)
    params = Params(
        0.2, Reliability(0.05, 0.05), competition_grid=grid, register_grid=4
    )
    graves = _graves(rng, layout, n_bodies)
    base = rng.uniform(0.5, 1.5, n_persons)
    strong = rng.choice(n_persons, n_persons // 20, replace=False)
    idx, tot = _rows(rng, n_bodies, np.arange(n_persons), 0.1, strong)
    record: dict = {}
    first = sparse_competition(idx, tot, base, graves, params, record=record)
    state = CompetitionState(record, base, params)
    comp = state.competition()
    for i in range(n_bodies):
        assert np.array_equal(comp.w_nz[i], first.w_nz[i])
    appended = partial = unmoved = 0
    for step in range(6):
        # one to three new persons, some strong, some at no body
        k = int(rng.integers(1, 4))
        n = len(base)
        weights = rng.uniform(0.5, 1.5, k)
        new_idx, new_tot = _rows(
            rng,
            n_bodies,
            np.arange(n, n + k),
            0.3 if step % 2 else 0.05,
            np.arange(n, n + k) if step % 3 == 0 else np.zeros(0, int),
        )
        if not state.can_append(weights):
            continue
        # Persons at no body: when ``unmoved_by`` says they move nothing, the
        # competition with them moves no body (it may say so for less).
        dry = copy.deepcopy(state)
        if dry.unmoved_by(weights):
            unmoved += 1
            assert not dry.append(weights, {})
        before = state.competition()
        w_before = [before.w_nz[i].copy() for i in range(n_bodies)]
        norm_before = before.norm.copy()
        rows = {i: (new_idx[i], new_tot[i]) for i in range(n_bodies) if len(new_idx[i])}
        touched = state.append(weights, rows)
        appended += 1
        base = np.concatenate([base, weights])
        idx = [np.concatenate([idx[i], new_idx[i]]) for i in range(n_bodies)]
        tot = [np.concatenate([tot[i], new_tot[i]]) for i in range(n_bodies)]
        rec: dict = {}
        full = _full(idx, tot, base, graves, params, rec)
        now = state.competition()
        assert np.array_equal(now.norm, full.norm)
        # every body's normaliser of every round, to the bit
        for rd, kept in zip(state.rounds, rec["rounds"], strict=True):
            assert np.array_equal(rd.z, kept[1])
        assert np.array_equal(now.row_w, full.row_w)
        everyone = np.arange(len(base))
        for i in range(n_bodies):
            assert np.array_equal(now.w_nz[i], full.w_nz[i]), (step, i)
            assert np.array_equal(now.weights(i, everyone), full.weights(i, everyone))
            moved = (
                len(w_before[i]) != len(full.w_nz[i])
                or not np.array_equal(w_before[i], full.w_nz[i][: len(w_before[i])])
                or norm_before[i] != full.norm[i]
            )
            if moved:
                assert i in touched, (step, i)
        partial += len(touched) < n_bodies
    assert appended >= 3
    # with a fine grid, some new persons moved the weights of a few bodies only
    assert partial or grid <= 2
    assert unmoved or grid <= 8


@pytest.mark.parametrize("rho", [0.0, 1e-3, 1.0, np.inf])
@pytest.mark.parametrize(
    ("seed", "layout", "grid"),
    [(6, "alone", 128), (7, "mixed", 16), (8, "pairs", 128), (9, "mixed", 2)],
)
def test_bodies_not_visited_give_the_full_competition(
    monkeypatch: pytest.MonkeyPatch, rho: float, seed: int, layout: str, grid: int
) -> None:
    """A body whose only change is new pairs is not visited pair by pair
    when its normaliser moves by at most ``_RHO_VISIT`` (every person's
    total gets a bound instead, and the persons in doubt are computed
    again): the weights stay those of a full computation, to the bit, for
    any threshold (0: every such body visited; infinite: none)."""
    monkeypatch.setattr(engine, "_RHO_VISIT", rho)
    append = CompetitionState.append
    bound: list[int] = []

    def counting(self: CompetitionState, weights: np.ndarray, rows: dict) -> set[int]:
        out = append(self, weights, rows)
        bound.append(self.last_bound)
        return out

    monkeypatch.setattr(CompetitionState, "append", counting)
    test_appended_persons_give_the_full_competition(seed, 60, 400, grid, layout)
    if rho == 0.0:
        assert not any(bound)
    else:
        assert any(bound)


@pytest.mark.parametrize(
    ("seed", "layout", "grid"),
    [(11, "mixed", 128), (12, "alone", 128), (13, "pairs", 16), (14, "mixed", 2)],
)
def test_changed_pairs_give_the_full_competition(
    seed: int, layout: str, grid: int
) -> None:
    """``append(changed=...)``: an earlier person's pairs with new LRs (a
    report whose family changed), some now 0 (excluded), with or without new
    persons: the weights, prior masses and normalisers of a full computation
    over the rows without the excluded pairs, to the bit, and every body
    whose weights, prior mass or row changed is returned."""
    rng = np.random.default_rng(seed)
    n_bodies, n_persons = 30, 200
    params = Params(
        0.2, Reliability(0.05, 0.05), competition_grid=grid, register_grid=4
    )
    graves = _graves(rng, layout, n_bodies)
    base = rng.uniform(0.5, 1.5, n_persons)
    strong = rng.choice(n_persons, n_persons // 20, replace=False)
    idx, tot = _rows(rng, n_bodies, np.arange(n_persons), 0.15, strong)
    idx = [x.astype(np.int64) for x in idx]
    record: dict = {}
    sparse_competition(idx, tot, base, graves, params, record=record)
    state = CompetitionState(record, base, params)
    changed_bodies = 0
    for step in range(6):
        # one or two earlier persons with pairs: new LRs, a third of them 0
        with_pairs = np.unique(np.concatenate(idx))
        js = rng.choice(with_pairs, int(rng.integers(1, 3)), replace=False)
        changed: dict[int, float] = {}
        rows_changed = set()
        for i in range(n_bodies):
            for j in js.tolist():
                at = np.nonzero(idx[i] == j)[0]
                if not len(at):
                    continue
                p = state.pair_position(i, j)
                assert p is not None
                lr = 0.0 if rng.random() < 0.35 else float(10.0 ** rng.normal(0, 3))
                changed[p] = lr
                rows_changed.add(i)
                if lr == 0.0:
                    idx[i] = np.delete(idx[i], at)
                    tot[i] = np.delete(tot[i], at)
                else:
                    tot[i] = tot[i].copy()
                    tot[i][at] = lr
        weights = np.zeros(0)
        rows = {}
        if step % 2:
            n = len(base)
            weights = rng.uniform(0.5, 1.5, 2)
            new_idx, new_tot = _rows(rng, n_bodies, np.arange(n, n + 2), 0.2, [])
            if not state.can_append(weights):
                continue
            rows = {
                i: (new_idx[i], new_tot[i]) for i in range(n_bodies) if len(new_idx[i])
            }
            base = np.concatenate([base, weights])
            idx = [np.concatenate([idx[i], new_idx[i]]) for i in range(n_bodies)]
            tot = [np.concatenate([tot[i], new_tot[i]]) for i in range(n_bodies)]
        before = state.competition()
        w_before = [before.w_nz[i].copy() for i in range(n_bodies)]
        norm_before = before.norm.copy()
        touched = state.append(weights, rows, changed=changed)
        changed_bodies += len(rows_changed)
        rec: dict = {}
        full = _full(idx, tot, base, graves, params, rec)
        now = state.competition()
        assert np.array_equal(now.norm, full.norm)
        for rd, kept in zip(state.rounds, rec["rounds"], strict=True):
            assert np.array_equal(rd.z, kept[1]), step
        assert np.array_equal(now.row_w, full.row_w)
        everyone = np.arange(len(base))
        for i in range(n_bodies):
            assert np.array_equal(now.w_nz[i], full.w_nz[i]), (step, i)
            assert np.array_equal(now.weights(i, everyone), full.weights(i, everyone))
            moved = (
                i in rows_changed
                or norm_before[i] != full.norm[i]
                or len(w_before[i]) == len(full.w_nz[i])
                and not np.array_equal(w_before[i], full.w_nz[i])
            )
            if moved:
                assert i in touched, (step, i)
    assert changed_bodies >= 6


@pytest.mark.parametrize("rho", [0.0, 1e-3, np.inf])
@pytest.mark.parametrize(
    ("seed", "layout", "grid"), [(15, "mixed", 128), (16, "alone", 16)]
)
def test_bodies_with_changed_pairs_not_visited_give_the_full_competition(
    monkeypatch: pytest.MonkeyPatch, rho: float, seed: int, layout: str, grid: int
) -> None:
    """A body whose only change is some pairs' LRs is not visited pair by
    pair either when its normaliser moves by at most ``_RHO_VISIT`` (its
    sum of terms computed again, the other persons' totals bounded, the
    changed pairs' persons computed exactly): the full competition, to the
    bit, for any threshold."""
    monkeypatch.setattr(engine, "_RHO_VISIT", rho)
    append = CompetitionState.append
    bound: list[int] = []

    def counting(
        self: CompetitionState,
        weights: np.ndarray,
        rows: dict,
        changed: dict[int, float] | None = None,
    ) -> set[int]:
        out = append(self, weights, rows, changed=changed)
        bound.append(self.last_bound)
        return out

    monkeypatch.setattr(CompetitionState, "append", counting)
    test_changed_pairs_give_the_full_competition(seed, layout, grid)
    if rho == 0.0:
        assert not any(bound)
    elif rho == np.inf:
        assert any(bound)

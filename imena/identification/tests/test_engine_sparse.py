"""The sparse competition equals the dense bodies x persons one (#13 item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from imena.identification.engine import (
    Params,
    competition_weights,
    sparse_competition,
)
from matching.documentary import Reliability


def _case(seed: int, n_bodies: int, n_persons: int, density: float):
    rng = np.random.default_rng(seed)
    totals = np.where(
        rng.random((n_bodies, n_persons)) < density,
        10.0 ** rng.normal(0, 3, (n_bodies, n_persons)),
        0.0,
    )
    # Some persons strong at several bodies (competition), some everywhere 0.
    totals[:, : n_persons // 10] *= 1e3
    totals[:, -3:] = 0.0
    base = rng.uniform(0.5, 1.5, n_persons)
    graves = [f"g{rng.integers(0, max(1, n_bodies // 3))}" for _ in range(n_bodies)]
    return totals, base, graves


@pytest.mark.parametrize(
    ("seed", "n_bodies", "n_persons", "density", "rounds"),
    [
        (1, 30, 200, 0.05, 3),
        (2, 12, 50, 0.3, 3),
        (3, 1, 10, 0.5, 3),
        (4, 25, 400, 0.01, 1),
        (5, 20, 100, 0.2, 0),
        (6, 0, 10, 0.2, 3),
    ],
)
def test_sparse_competition_equals_the_dense_one(
    seed: int, n_bodies: int, n_persons: int, density: float, rounds: int
) -> None:
    totals, base, graves = _case(seed, n_bodies, n_persons, density)
    params = Params(0.1, Reliability(0.05, 0.05), competition_rounds=rounds)
    dense = competition_weights(totals, base, graves, params)
    idx = [np.nonzero(row > 0)[0].astype(np.int32) for row in totals]
    comp = sparse_competition(
        idx, [totals[i, x] for i, x in enumerate(idx)], base, graves, params
    )
    for i in range(n_bodies):
        assert comp.row_w[i] == pytest.approx(dense[i].sum(), rel=1e-12)
        assert np.allclose(comp.w_nz[i], dense[i, idx[i]], rtol=1e-12, atol=0)
        every = np.arange(n_persons)
        assert np.allclose(comp.weights(i, every), dense[i], rtol=1e-12, atol=0)
    if rounds and n_bodies > 2:  # the case tests something: weights moved
        assert not np.allclose(dense, base)


@pytest.mark.parametrize("layout", ["alone", "disjoint"])
def test_sparse_competition_with_graves_of_one_body_or_disjoint_persons(
    layout: str,
) -> None:
    totals, base, _graves = _case(7, 12, 60, 0.1)
    if layout == "alone":
        graves = [f"g{i}" for i in range(12)]
    else:  # two bodies a grave, and no person with an LR above 0 at both
        graves = [f"g{i // 2}" for i in range(12)]
        totals[1::2, ::2] = 0.0
        totals[0::2, 1::2] = 0.0
        totals[1::2][:, :6] = 50.0 * (totals[1::2][:, :6] > 0)
    params = Params(0.1, Reliability(0.05, 0.05), competition_rounds=3)
    dense = competition_weights(totals, base, graves, params)
    idx = [np.nonzero(row > 0)[0].astype(np.int32) for row in totals]
    comp = sparse_competition(
        idx, [totals[i, x] for i, x in enumerate(idx)], base, graves, params
    )
    assert not np.allclose(dense, base)
    for i in range(len(graves)):
        assert comp.row_w[i] == pytest.approx(dense[i].sum(), rel=1e-12)
        assert np.allclose(comp.w_nz[i], dense[i, idx[i]], rtol=1e-12, atol=0)
        assert np.allclose(
            comp.weights(i, np.arange(len(base))), dense[i], rtol=1e-12, atol=0
        )

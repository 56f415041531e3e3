"""``engine._move_bound``: terms that change by ``d`` in all (absolute
changes summed) under a normaliser ``z`` move no posterior by more than
``d / z``, whatever grows or shrinks, a changed person's own posterior
included; and the bound is reached (no slack left to tighten it)."""

from __future__ import annotations

import itertools

import numpy as np

from imena.identification.engine import _move_bound


def _largest_move(w: np.ndarray, w_new: np.ndarray) -> float:
    """The largest move of any outcome's posterior (every set of terms)."""
    p, q = w / w.sum(), w_new / w_new.sum()
    n = len(w)
    return max(
        abs(float(p[list(sel)].sum() - q[list(sel)].sum()))
        for k in range(1, n + 1)
        for sel in itertools.combinations(range(n), k)
    )


def _assignments(t: np.ndarray, p_u: float) -> dict[tuple[int, int], float]:
    """The weights of the assignments (person at body 0, person at body 1;
    -1 unlisted) of a grave of two bodies, ``t[b, j]`` person ``j``'s term
    at body ``b``."""
    n = t.shape[1]
    out = {}
    for a in range(-1, n):
        for b in range(-1, n):
            if a == b != -1:
                continue
            out[(a, b)] = (t[0, a] if a >= 0 else p_u) * (t[1, b] if b >= 0 else p_u)
    return out


def test_no_posterior_moves_by_more_than_the_bound() -> None:
    rng = np.random.default_rng(37)
    closest = 0.0
    for _ in range(4000):
        n = int(rng.integers(2, 7))
        # Terms of very different sizes; the first is "none of these" (fixed).
        w = rng.exponential(1.0, n) * rng.choice([1e-4, 1.0, 30.0], n)
        change = rng.normal(0.0, 1.0, n) * w * rng.uniform(0.0, 2.0)
        change[0] = 0.0
        w_new = np.maximum(w + change, 0.0)
        d = float(np.abs(w_new - w).sum())
        bound = _move_bound(d, float(w.sum()))
        move = _largest_move(w, w_new)
        assert move <= bound * (1 + 1e-12) + 1e-15
        if bound > 0:
            closest = max(closest, move / bound)
    # The bound is reached: half of it would not hold.
    assert closest > 0.95


def test_a_grave_of_two_bodies_within_the_relative_bound() -> None:
    """At a grave the posteriors come from the assignments of persons to
    bodies (each person at one body at most, a body unlisted with factor
    ``p_u``): a person's terms changed at each body by ``|dt_b|`` move every
    posterior by at most ``D = sum_b |dt_b| u_b / p_u`` (``u_b``: the body's
    posterior of "none of these"), the relative bound ``hold_persons``
    passes to ``_move_bound`` with ``z`` 1."""
    rng = np.random.default_rng(13)
    p_u = 0.2
    for _ in range(300):
        n = int(rng.integers(1, 4))
        t = rng.exponential(0.3, (2, n)) * rng.choice([0.01, 1.0], (2, n))
        t_new = t.copy()
        t_new[:, 0] = np.maximum(t[:, 0] + rng.normal(0.0, 0.5, 2) * t[:, 0], 0.0)

        old, new = _assignments(t, p_u), _assignments(t_new, p_u)
        keys = list(old)
        w = np.array([old[k] for k in keys])
        w_new = np.array([new[k] for k in keys])
        u = [sum(old[k] for k in keys if k[b] == -1) / w.sum() for b in (0, 1)]
        relative = sum(abs(t_new[b, 0] - t[b, 0]) * u[b] / p_u for b in (0, 1))
        bound = _move_bound(relative, 1.0)
        # Outcomes: a person at a body, a body unlisted.
        for b in (0, 1):
            for a in range(-1, n):
                sel = np.array([k[b] == a for k in keys])
                move = abs(w[sel].sum() / w.sum() - w_new[sel].sum() / w_new.sum())
                assert move <= bound * (1 + 1e-12) + 1e-15

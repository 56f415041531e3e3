"""Exact pedigree likelihoods by variable elimination, one marker at a time.

Every individual ``k`` carries two allele variables, the paternal allele
(variable ``2k``) and the maternal allele (``2k + 1``).  Factors:

* founder allele: the allele frequencies (Hardy-Weinberg founders);
* transmission ``(2f, 2f+1, 2k)``: ``(M[f_pat, c] + M[f_mat, c]) / 2`` with the
  father's mutation matrix ``M`` (identity without mutation), the same for the
  mother;
* observation ``(2k, 2k+1)``: the probability of the typed genotype (with an
  optional per-allele drop-out probability).

Summing the product of all factors over all variables is the likelihood.  The
variables are eliminated in a greedy min-fill order, so half-sibs, inbreeding
and pedigree loops are handled exactly and uniformly; disconnected families
simply multiply.  Alleles that nobody carries are lumped into one allele when
the mutation model allows it exactly (no mutation, equal, proportional: these
matrices are strongly lumpable), which keeps the factors small.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from kinship.case import Pedigree, Profile
from kinship.errors import KinshipError, KinshipWarning
from kinship.genemapper import Genotype
from kinship.markers import Marker

Factor = tuple[tuple[int, ...], np.ndarray]


def founder_variables(
    father: tuple[int, ...], mother: tuple[int, ...]
) -> tuple[int, ...]:
    """Return the allele variables drawn from the population (no parent)."""
    out: list[int] = []
    for k, (f, m) in enumerate(zip(father, mother, strict=True)):
        if f < 0:
            out.append(2 * k)
        if m < 0:
            out.append(2 * k + 1)
    return tuple(out)


def _scopes(
    father: tuple[int, ...], mother: tuple[int, ...], urn: bool = False
) -> list[tuple[int, ...]]:
    scopes: list[tuple[int, ...]] = []
    for k, (f, m) in enumerate(zip(father, mother, strict=True)):
        scopes.append((2 * k, 2 * k + 1))
        scopes.append((2 * f, 2 * f + 1, 2 * k) if f >= 0 else (2 * k,))
        scopes.append((2 * m, 2 * m + 1, 2 * k + 1) if m >= 0 else (2 * k + 1,))
    if urn:
        # With theta > 0 all founder alleles share one factor (the urn).
        scopes.append(founder_variables(father, mother))
    return scopes


@lru_cache(maxsize=4096)
def elimination_order(
    father: tuple[int, ...],
    mother: tuple[int, ...],
    keep: tuple[int, ...] = (),
    urn: bool = False,
) -> tuple[int, ...]:
    """Greedy min-fill elimination order of the allele variables not in ``keep``.

    ``urn``: the founder alleles share one factor (theta correction).
    """
    nvar = 2 * len(father)
    adj: dict[int, set[int]] = {v: set() for v in range(nvar)}
    for scope in _scopes(father, mother, urn):
        for a in scope:
            adj[a].update(b for b in scope if b != a)
    remaining = set(range(nvar)) - set(keep)
    order: list[int] = []
    while remaining:
        best: tuple[int, int, int] | None = None
        for v in remaining:
            nb = list(adj[v])
            fill = 0
            for i, a in enumerate(nb):
                for b in nb[i + 1 :]:
                    if b not in adj[a]:
                        fill += 1
            key = (fill, len(nb), v)
            if best is None or key < best:
                best = key
        assert best is not None
        v = best[2]
        nb = list(adj[v])
        for a in nb:
            adj[a].update(b for b in nb if b != a)
            adj[a].discard(v)
        del adj[v]
        remaining.discard(v)
        order.append(v)
    return tuple(order)


_PATHS: dict[tuple[object, ...], list[object]] = {}


def _run_path(operands: Sequence[Any], path: Sequence[Any]) -> np.ndarray:
    """Evaluate ``np.einsum(*operands)`` pairwise along an ``einsum_path``.

    Each step is a plain (C) ``np.einsum`` of the operands it contracts.
    ``np.einsum(..., optimize=path)`` would hand the steps to BLAS, whose
    threads cost far more than these small contractions on a busy machine.
    """
    arrays: list[Any] = list(operands[0:-1:2])
    subs: list[list[int]] = [list(s) for s in operands[1:-1:2]]
    out: list[int] = list(operands[-1])
    for step in path[1:]:
        picked = [(arrays.pop(i), subs.pop(i)) for i in sorted(step, reverse=True)]
        if arrays:
            needed = set(out).union(*subs)
            res: list[int] = []
            for _, sub in picked:
                res += [x for x in sub if x in needed and x not in res]
        else:
            res = out
        args: list[Any] = []
        for arr, sub in picked:
            args += [arr, sub]
        arrays.append(np.einsum(*args, res))
        subs.append(res)
    if subs[0] != out:
        return np.asarray(np.einsum(arrays[0], subs[0], out))
    return np.asarray(arrays[0])


def _einsum(factors: Sequence[Factor], out: Sequence[int]) -> np.ndarray:
    labels: dict[int, int] = {}
    operands: list[Any] = []
    key: list[object] = []
    for scope, arr in factors:
        sub = [0] + [labels.setdefault(v, len(labels) + 1) for v in scope]
        operands.append(arr)
        operands.append(sub)
        key.append((arr.shape, tuple(sub)))
    out_sub = [0] + [labels.setdefault(v, len(labels) + 1) for v in out]
    operands.append(out_sub)
    if len(factors) <= 2:
        return np.einsum(*operands)  # type: ignore[no-any-return]
    cache_key = (tuple(key), tuple(out_sub))
    path = _PATHS.get(cache_key)
    if path is None:
        path = np.einsum_path(*operands, optimize="greedy")[0]
        if len(_PATHS) > 100_000:
            _PATHS.clear()
        _PATHS[cache_key] = path
    return _run_path(operands, path)


def eliminate(
    factors: list[Factor], order: Sequence[int], keep: Sequence[int] = ()
) -> np.ndarray:
    """Sum the product of batched factors over ``order``; return a ``keep`` array.

    Every array has a leading batch axis.  Scopes must be subsets of
    ``order`` plus ``keep``.
    """
    pool = list(factors)
    for v in order:
        involved = [f for f in pool if v in f[0]]
        if not involved:
            continue
        pool = [f for f in pool if v not in f[0]]
        scope = tuple(sorted(set().union(*(f[0] for f in involved)) - {v}))
        pool.append((scope, _einsum(involved, scope)))
    return _einsum(pool, tuple(keep))


@dataclass(frozen=True)
class LocalAlleles:
    """A marker restricted to some alleles plus, maybe, a lumped allele.

    With ``split`` the lumped allele is carried as two halves of equal
    frequency (the last two local alleles): the posterior of a person whose
    two alleles can be identical by descent is then recovered exactly
    (:func:`expand_posterior`).
    """

    index: np.ndarray  # global allele -> local allele (lumped: the first lump)
    freqs: np.ndarray
    male: np.ndarray | None
    female: np.ndarray | None
    lump: np.ndarray | None  # global indices in the lumped allele, or None
    split: bool = False

    @property
    def size(self) -> int:
        """Number of local alleles."""
        return len(self.freqs)


def _lumped_matrix(
    mat: np.ndarray,
    keep: np.ndarray,
    lump: np.ndarray,
    p: np.ndarray,
    expand: bool,
    split: bool,
) -> np.ndarray | None:
    """Return ``mat`` over ``keep`` plus the lump (two halves with ``split``).

    None when the lump is not exact: the rows of the lumped alleles must
    agree outside the lump (strong lumpability).  With ``expand`` the lump
    must also be a "fresh draw" in proportion to the frequencies wherever an
    allele enters or changes inside it: ``mat[keep, lump]`` proportional to
    ``p[lump]`` and ``mat[lump, lump] = c I + a 1 p[lump]^T``.  Then a
    posterior over the lump splits back exactly (:func:`expand_posterior`).
    """
    rows = mat[lump][:, keep]
    if not np.allclose(rows, rows[0], rtol=1e-9, atol=1e-15):
        return None
    k = len(keep)
    if not expand:
        out = np.empty((k + 1, k + 1))
        out[:k, :k] = mat[np.ix_(keep, keep)]
        out[:k, k] = mat[np.ix_(keep, lump)].sum(axis=1)
        out[k, :k] = rows[0]
        out[k, k] = 1.0 - rows[0].sum()
        return out
    pl = p[lump]
    sub = mat[np.ix_(keep, lump)]
    s = sub.sum(axis=1, keepdims=True)
    if not np.allclose(sub, s * (pl / pl.sum())[None, :], rtol=1e-9, atol=1e-15):
        return None
    block = mat[np.ix_(lump, lump)]
    a = float(block[1, 0] / pl[0])
    c = float(block[0, 0] - a * pl[0])
    if not np.allclose(
        block, c * np.eye(len(lump)) + a * pl[None, :], rtol=1e-9, atol=1e-15
    ):
        return None
    parts = 2 if split else 1
    share = pl.sum() / parts
    out = np.empty((k + parts, k + parts))
    out[:k, :k] = mat[np.ix_(keep, keep)]
    out[:k, k:] = s / parts
    out[k:, :k] = rows[0]
    out[k:, k:] = c * np.eye(parts) + a * share
    return out


def local_alleles(
    marker: Marker,
    observed: Sequence[int] | np.ndarray,
    *,
    expand: bool = False,
    split: bool = False,
) -> LocalAlleles:
    """Restrict ``marker`` to ``observed`` alleles plus one lump where exact.

    With ``expand`` the lump is only used if a posterior over lumped alleles
    can be split back exactly (true without mutation and for the proportional
    model); ``split`` (with ``expand``) carries the lump as two halves, needed
    when the target's two alleles can be identical by descent.
    """
    n = marker.n_alleles
    keep = np.unique(np.asarray(observed, dtype=int))
    lump = np.setdiff1d(np.arange(n), keep)
    male, female = marker.male_matrix, marker.female_matrix
    split = split and expand
    if len(lump) >= 2:
        p = marker.freqs
        lm = (
            _lumped_matrix(male, keep, lump, p, expand, split)
            if male is not None
            else None
        )
        lf = (
            _lumped_matrix(female, keep, lump, p, expand, split)
            if female is not None
            else None
        )
        if (male is None or lm is not None) and (female is None or lf is not None):
            index = np.full(n, len(keep))
            index[keep] = np.arange(len(keep))
            total = p[lump].sum()
            tail = [total / 2, total / 2] if split else [total]
            freqs = np.concatenate([p[keep], tail])
            return LocalAlleles(index, freqs, lm, lf, lump, split)
    return LocalAlleles(np.arange(n), marker.freqs, male, female, None)


def expand_posterior(
    post: np.ndarray,
    index: np.ndarray,
    is_lump: np.ndarray,
    freqs: np.ndarray,
    split: bool,
    xs: np.ndarray | None = None,
    ys: np.ndarray | None = None,
) -> np.ndarray:
    """Return ``(B, n, n)`` genotype tables over the marker's alleles.

    ``post`` is ``(B, s, s)`` over local alleles whose last one (two halves
    with ``split``) is the lump; ``index[b, x]`` is the local allele of global
    allele ``x`` (the first lump half for lumped ones), ``is_lump`` marks the
    lumped alleles and ``freqs`` are the marker's frequencies.

    Inside the lump every allele is a fresh draw in proportion to the
    frequencies, so for lumped ``x != y`` the table is ``A p_x p_y`` and
    ``A p_x^2 + D p_x`` on the diagonal, where ``D`` is the mass of the two
    alleles being one lumped allele identical by descent.  One lump gives
    ``A p_L^2 + D p_L`` only; the two halves ``h = p_L / 2`` give ``A`` from
    the off-diagonal cells (``A h^2``) and ``D`` from the diagonal ones.
    Without ``split`` ``D`` is taken as 0, which is exact unless the target is
    inbred or theta is positive.

    ``xs`` and ``ys`` (allele indices): only the rows ``xs`` and the columns
    ``ys`` of the tables, ``(B, len(xs), len(ys))``, each cell computed as in
    the whole table (the same values, not only to rounding).
    """
    batch, s = post.shape[:2]
    rows = np.arange(batch)
    plump = np.where(is_lump, freqs[None, :], 0.0).sum(axis=1)
    safe = np.where(plump > 0, plump, 1.0)
    if split:
        lo = s - 2
        h2 = (safe / 2) ** 2
        pair = post[:, lo, lo + 1] + post[:, lo + 1, lo]
        a = pair / (2 * h2)
        # J(h1, h1) + J(h2, h2) = 2 A h^2 + D p_L and J(h1, h2) + J(h2, h1) = 2 A h^2.
        d = np.maximum((post[:, lo, lo] + post[:, lo + 1, lo + 1] - pair) / safe, 0.0)
        merged = post[:, : lo + 1, : lo + 1].copy()
        merged[:, :lo, lo] += post[:, :lo, lo + 1]
        merged[:, lo, :lo] += post[:, lo + 1, :lo]
        merged[:, lo, lo] = post[:, lo:, lo:].sum(axis=(1, 2))
    else:
        merged = post
        d = np.zeros(batch)
    w = np.where(is_lump, freqs[None, :] / safe[:, None], 1.0)
    every = np.arange(len(freqs))
    xs = every if xs is None else np.asarray(xs, dtype=np.int64)
    ys = every if ys is None else np.asarray(ys, dtype=np.int64)
    # C-ordered index arrays, so that the table is C-ordered: sums over it
    # then add in the same order whichever rows were asked for (an update's
    # LRs equal to the bit those of a full computation).
    ix, iy = np.ascontiguousarray(index[:, xs]), np.ascontiguousarray(index[:, ys])
    wx, wy = np.ascontiguousarray(w[:, xs]), np.ascontiguousarray(w[:, ys])
    full = merged[rows[:, None, None], ix[:, :, None], iy[:, None, :]]
    full *= wx[:, :, None] * wy[:, None, :]
    if split:
        lx, ly = is_lump[:, xs], is_lump[:, ys]
        both = lx[:, :, None] & ly[:, None, :]
        inside = a[:, None, None] * freqs[xs][None, :, None] * freqs[ys][None, None, :]
        full = np.where(both, inside, full)
    ii, jj = np.nonzero(xs[:, None] == ys[None, :])
    on = xs[ii]
    full[:, ii, jj] += np.where(is_lump[:, on], d[:, None] * freqs[None, on], 0.0)
    return np.asarray(full)


def observation_matrix(size: int, a: int, b: int, dropout: float = 0.0) -> np.ndarray:
    """Return ``P(observed a/b | ordered genotype)`` over local alleles.

    Drop-out model: each allele copy drops out independently with probability
    ``dropout``; a heterozygote a/x shows as a/a with probability
    ``dropout * (1 - dropout)``, a homozygote a/a shows as a/a with
    probability ``1 - dropout**2``.  Complete drop-out counts as an untyped
    locus, so it never enters a likelihood.
    """
    obs = np.zeros((size, size))
    d = float(dropout)
    if a != b:
        obs[a, b] = obs[b, a] = (1.0 - d) ** 2
    elif d > 0.0:
        obs[a, :] = obs[:, a] = d * (1.0 - d)
        obs[a, a] = 1.0 - d * d
    else:
        obs[a, a] = 1.0
    return obs


def transmission(size: int, mat: np.ndarray | None) -> np.ndarray:
    """Return ``T[p, m, c] = (M[p, c] + M[m, c]) / 2`` (M = identity if None)."""
    m = np.eye(size) if mat is None else mat
    return 0.5 * (m[:, None, :] + m[None, :, :])


def urn_table(freqs: np.ndarray, count: int, theta: float) -> np.ndarray:
    """Return ``P(founder alleles x_1..x_count)`` with the theta correction.

    ``freqs`` is ``(B, n)``; the result is ``(B, n, ..., n)``.  The alleles are
    drawn one after the other from the subpopulation (a Polya urn, Balding and
    Nichols): ``P(x_j = a | x_1..x_{j-1}) = (b θ + (1-θ) p_a) / (1 + (j-2) θ)``
    with ``b`` earlier copies of ``a`` (``j`` counted from 1).  The order does
    not matter and untyped founders marginalise out.
    """
    batch, n = freqs.shape
    idx = np.indices((n,) * count).reshape(count, -1)
    out = np.ones((batch, idx.shape[1]))
    for j in range(count):
        same = (idx[:j] == idx[j]).sum(axis=0)
        out *= (same * theta + (1.0 - theta) * freqs[:, idx[j]]) / (
            1.0 + (j - 1) * theta
        )
    return out.reshape((batch,) + (n,) * count)


def build_batch(
    pedigree: Pedigree,
    items: Sequence[tuple[LocalAlleles, Mapping[int, tuple[int, int, float]]]],
    theta: float = 0.0,
) -> list[Factor]:
    """Return batched factors for problems sharing one pedigree structure.

    Each item is a marker's local alleles and its typed individuals
    (position -> local allele indices and drop-out).  Allele axes are padded to
    the largest local size with zero-frequency alleles that never mutate.
    With ``theta > 0`` the founder alleles share one factor, :func:`urn_table`
    (eliminate along ``elimination_order(..., urn=True)``).
    """
    size = max(loc.size for loc, _ in items)
    batch = len(items)
    founder = np.zeros((batch, size))
    tm = np.zeros((batch, size, size, size))
    tf = np.zeros((batch, size, size, size))
    n = len(pedigree)
    obs = np.ones((n, batch, size, size))
    typed_any = np.zeros(n, dtype=bool)
    cache: dict[int, np.ndarray] = {}
    for b, (loc, typed) in enumerate(items):
        founder[b, : loc.size] = loc.freqs
        for target, mat in ((tm, loc.male), (tf, loc.female)):
            full = np.eye(size)
            if mat is not None:
                full[: loc.size, : loc.size] = mat
                target[b] = transmission(size, full)
            else:
                if size not in cache:
                    cache[size] = transmission(size, None)
                target[b] = cache[size]
        for k, (x, y, d) in typed.items():
            obs[k, b] = observation_matrix(size, x, y, d)
            typed_any[k] = True
    factors: list[Factor] = []
    for k in range(n):
        f, m = pedigree.father[k], pedigree.mother[k]
        factors.append(
            ((2 * f, 2 * f + 1, 2 * k), tm) if f >= 0 else ((2 * k,), founder)
        )
        factors.append(
            ((2 * m, 2 * m + 1, 2 * k + 1), tf) if m >= 0 else ((2 * k + 1,), founder)
        )
        if typed_any[k]:
            factors.append(((2 * k, 2 * k + 1), obs[k]))
    if theta > 0.0:
        scope = founder_variables(pedigree.father, pedigree.mother)
        factors = [f for f in factors if len(f[0]) != 1]
        factors.append((scope, urn_table(founder, len(scope), theta)))
    return factors


def is_inbred(pedigree: Pedigree, ident: str) -> bool:
    """Return True if the parents of ``ident`` share an ancestor (or are kin)."""
    k = pedigree.index(ident)
    f, m = pedigree.father[k], pedigree.mother[k]
    if f < 0 or m < 0:
        return False

    def ancestors(start: int) -> set[int]:
        seen = {start}
        stack = [start]
        while stack:
            x = stack.pop()
            for par in (pedigree.father[x], pedigree.mother[x]):
                if par >= 0 and par not in seen:
                    seen.add(par)
                    stack.append(par)
        return seen

    return bool(ancestors(f) & ancestors(m))


def prune(pedigree: Pedigree, typed: set[int]) -> tuple[Pedigree, list[int]]:
    """Drop untyped individuals without typed descendants (they sum out to 1).

    Returns the smaller pedigree and the original position of each member.
    """
    alive = [True] * len(pedigree)
    children = [0] * len(pedigree)
    for k in range(len(pedigree)):
        for par in (pedigree.father[k], pedigree.mother[k]):
            if par >= 0:
                children[par] += 1
    stack = [k for k in range(len(pedigree)) if children[k] == 0 and k not in typed]
    while stack:
        k = stack.pop()
        alive[k] = False
        for par in (pedigree.father[k], pedigree.mother[k]):
            if par >= 0:
                children[par] -= 1
                if children[par] == 0 and par not in typed:
                    stack.append(par)
    keep = [k for k in range(len(pedigree)) if alive[k]]
    if len(keep) == len(pedigree):
        return pedigree, keep
    new = {k: i for i, k in enumerate(keep)}
    small = Pedigree(
        tuple(pedigree.ids[k] for k in keep),
        tuple(new.get(pedigree.father[k], -1) for k in keep),
        tuple(new.get(pedigree.mother[k], -1) for k in keep),
        tuple(pedigree.sex[k] for k in keep),
    )
    return small, keep


def _typed_indices(
    pedigree: Pedigree,
    genotypes: Mapping[str, Genotype],
    marker: Marker,
    dropout: Mapping[str, float] | None,
) -> tuple[dict[int, tuple[int, int, float]], list[int]]:
    typed: dict[int, tuple[int, int, float]] = {}
    observed: list[int] = []
    for ident, g in genotypes.items():
        k = pedigree.index(ident)
        try:
            a, b = marker.index(g[0]), marker.index(g[1])
        except KeyError:
            raise KinshipError(
                f"{ident}: allele of {g} not in marker {marker.name}"
            ) from None
        typed[k] = (a, b, (dropout or {}).get(ident, 0.0))
        observed += [a, b]
    return typed, observed


#: Markers whose local allele count exceeds this are run one at a time.
BATCH_SIZE_LIMIT = 16


_BUCKET_EDGES = (8, BATCH_SIZE_LIMIT)


def _buckets(sizes: Sequence[int]) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, k in enumerate(sizes):
        edge = next((e for e in _BUCKET_EDGES if k <= e), 1000 + i)
        groups.setdefault(edge, []).append(i)
    return list(groups.values())


def _prepare(
    pedigree: Pedigree,
    genotypes: Sequence[Mapping[str, Genotype]],
    markers: Sequence[Marker],
    dropout: Mapping[str, float] | None,
    target: str | None,
    theta: float = 0.0,
) -> tuple[
    Pedigree, list[int], list[tuple[LocalAlleles, dict[int, tuple[int, int, float]]]]
]:
    raw = [
        _typed_indices(pedigree, g, m, dropout)
        for g, m in zip(genotypes, markers, strict=True)
    ]
    typed_all = {k for typed, _ in raw for k in typed}
    if target is not None:
        typed_all.add(pedigree.index(target))
    small, kept = prune(pedigree, typed_all)
    # The target's two alleles can be identical by descent (inbreeding) or
    # by common ancestry in the subpopulation (theta): the lump is split.
    split = target is not None and (theta > 0.0 or is_inbred(pedigree, target))
    items = []
    for (typed, observed), marker in zip(raw, markers, strict=True):
        loc = local_alleles(marker, observed, expand=target is not None, split=split)
        items.append(
            (
                loc,
                {
                    i: (
                        int(loc.index[typed[k][0]]),
                        int(loc.index[typed[k][1]]),
                        typed[k][2],
                    )
                    for i, k in enumerate(kept)
                    if k in typed
                },
            )
        )
    return small, kept, items


def marker_likelihoods(
    pedigree: Pedigree,
    genotypes: Sequence[Mapping[str, Genotype]],
    markers: Sequence[Marker],
    *,
    dropout: Mapping[str, float] | None = None,
    theta: float = 0.0,
) -> np.ndarray:
    """Return the likelihood of ``genotypes[i]`` (``{id: (a, b)}``) at ``markers[i]``.

    The markers are computed together in batches sharing one elimination.
    With ``theta > 0`` the founder alleles are drawn with the subpopulation
    correction (:func:`urn_table`).
    """
    out = np.ones(len(markers))
    if not markers:
        return out
    small, _, items = _prepare(pedigree, genotypes, markers, dropout, None)
    if len(small) == 0:
        return out
    if theta > 0.0:
        for i, item in enumerate(items):
            out[i] = float(theta_eliminate(small, item, (), theta))
        return out
    order = elimination_order(small.father, small.mother)
    for bucket in _buckets([loc.size for loc, _ in items]):
        factors = build_batch(small, [items[i] for i in bucket])
        out[bucket] = eliminate(factors, order)
    return out


def marker_likelihood(
    pedigree: Pedigree,
    genotypes: Mapping[str, Genotype],
    marker: Marker,
    *,
    dropout: Mapping[str, float] | None = None,
    theta: float = 0.0,
) -> float:
    """Return the likelihood of the typed genotypes ``{id: (a, b)}`` at a marker."""
    if not genotypes:
        return 1.0
    return float(
        marker_likelihoods(
            pedigree, [genotypes], [marker], dropout=dropout, theta=theta
        )[0]
    )


def genotype_posteriors(
    pedigree: Pedigree,
    genotypes: Sequence[Mapping[str, Genotype]],
    markers: Sequence[Marker],
    target: str,
    *,
    dropout: Mapping[str, float] | None = None,
    theta: float = 0.0,
) -> list[tuple[np.ndarray, float]]:
    """Return ``(P(ordered genotype of target | data), P(data))`` per marker.

    Each array is ``n x n`` over the marker's alleles (paternal, maternal).
    Where the data are impossible the probability is 0 and the array zeros.
    """
    if not markers:
        return []
    small, kept, items = _prepare(pedigree, genotypes, markers, dropout, target, theta)
    t = kept.index(pedigree.index(target))
    keep = (2 * t, 2 * t + 1)
    order = elimination_order(small.father, small.mother, keep)
    joints: list[np.ndarray] = [np.zeros(0)] * len(markers)
    for i, item in enumerate(items if theta > 0.0 else ()):
        joints[i] = theta_eliminate(small, item, keep, theta)
    for bucket in _buckets([loc.size for loc, _ in items]) if theta <= 0.0 else ():
        res = eliminate(build_batch(small, [items[i] for i in bucket]), order, keep)
        for r, i in enumerate(bucket):
            k = items[i][0].size
            joints[i] = res[r, :k, :k]
    out: list[tuple[np.ndarray, float]] = []
    for (loc, _), marker, joint in zip(items, markers, joints, strict=True):
        total = float(joint.sum())
        n = marker.n_alleles
        if total <= 0.0:
            out.append((np.zeros((n, n)), 0.0))
            continue
        post = joint / total
        if loc.lump is None:
            out.append((post, total))
            continue
        is_lump = np.zeros(n, dtype=bool)
        is_lump[loc.lump] = True
        full = expand_posterior(
            post[None], loc.index[None], is_lump[None], marker.freqs, loc.split
        )[0]
        out.append((full, total))
    return out


def genotype_posterior(
    pedigree: Pedigree,
    genotypes: Mapping[str, Genotype],
    marker: Marker,
    target: str,
    *,
    dropout: Mapping[str, float] | None = None,
    theta: float = 0.0,
) -> tuple[np.ndarray, float]:
    """Return ``(P(ordered genotype of target | data), P(data))`` at one marker."""
    return genotype_posteriors(
        pedigree, [genotypes], [marker], target, dropout=dropout, theta=theta
    )[0]


# ------------------------------------------------------------ theta correction

#: Largest joint founder-allele table of the theta correction (cells).
THETA_TABLE_CELLS = 2**16

#: Quadrature points are batched: one costs about this fraction of a
#: partition's elimination.
THETA_PARTITION_COST = 8

#: Most work per marker, counted as eliminations times ``n ** 3`` (``n``
#: local alleles): about 0.1 s on the development machine.  Beyond it the
#: marker falls back to theta 0 for the pedigree, with a warning.
THETA_MAX_COST = 2**18


def _set_partitions(count: int) -> list[list[int]]:
    """Every partition of ``range(count)`` as a restricted growth string."""
    out: list[list[int]] = [[]]
    for _ in range(count):
        out = [s + [b] for s in out for b in range(max(s, default=-1) + 2)]
    return out


def _bell(count: int) -> int:
    row = [1]
    for _ in range(count):
        nxt = [row[-1]]
        for x in row:
            nxt.append(nxt[-1] + x)
        row = nxt
    return row[0]


def _dirichlet_rule(
    freqs: np.ndarray, alpha: float, degree: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points and weights integrating polynomials of ``degree`` over Dirichlet.

    ``Dirichlet(alpha * freqs)`` by stick breaking: independent
    ``B_k ~ Beta(alpha q_k, alpha (q_{k+1} + ...))`` with Gauss-Jacobi nodes,
    exact for every polynomial of that total degree.
    """
    from scipy.special import roots_jacobi

    n = len(freqs)
    m = degree // 2 + 1
    a = alpha * freqs
    tail = np.cumsum(a[::-1])[::-1]
    points = np.ones((1, n))
    weights = np.ones(1)
    for k in range(n - 1):
        x, w = roots_jacobi(m, tail[k + 1] - 1.0, a[k] - 1.0)
        b = (1.0 + x) / 2.0
        w = w / w.sum()
        nxt = np.repeat(points, m, axis=0)
        bk = np.tile(b, len(points))
        nxt[:, k] *= bk
        nxt[:, k + 1 :] *= (1.0 - bk)[:, None]
        points = nxt
        weights = np.repeat(weights, m) * np.tile(w, len(weights))
    return points, weights


def _tie(scope: tuple[int, ...], arr: np.ndarray, rep: Mapping[int, int]) -> Factor:
    """Rename tied variables; a variable met twice takes the diagonal."""
    named = tuple(rep.get(v, v) for v in scope)
    unique = tuple(dict.fromkeys(named))
    if len(unique) == len(named):
        return named, arr
    labels = {v: i + 1 for i, v in enumerate(unique)}
    sub = [0] + [labels[v] for v in named]
    return unique, np.einsum(arr, sub, [0] + [labels[v] for v in unique])


def theta_eliminate(
    pedigree: Pedigree,
    item: tuple[LocalAlleles, Mapping[int, tuple[int, int, float]]],
    keep: tuple[int, ...],
    theta: float,
) -> np.ndarray:
    """Sum the pedigree for one marker with founders drawn with ``theta``.

    The founder alleles follow the Balding-Nichols urn (:func:`urn_table`).
    Three exact methods, the cheapest that fits is used: the joint founder
    table (``n ** F`` cells for ``F`` founder alleles over ``n`` local
    alleles); the urn as a Dirichlet mixture of Hardy-Weinberg likelihoods,
    integrated by Gauss-Jacobi quadrature (``(F // 2 + 1) ** (n - 1)``
    points; the likelihood is a polynomial of degree ``F`` in the
    frequencies); or the sum over the partitions of the founder alleles into
    copies of one ancestral allele (Chinese restaurant weights, ``Bell(F)``
    terms).  Returns the array over ``keep`` (a scalar for ``()``).
    """
    loc = item[0]
    founders = founder_variables(pedigree.father, pedigree.mother)
    count, n = len(founders), loc.size
    alpha = (1.0 - theta) / theta
    if n**count <= THETA_TABLE_CELLS:
        order = elimination_order(pedigree.father, pedigree.mother, keep, True)
        table = eliminate(build_batch(pedigree, [item], theta), order, keep)
        return np.asarray(table[0])
    quad = (count // 2 + 1) ** (n - 1) * n**3 / THETA_PARTITION_COST
    part = (_bell(count) if count <= 16 else 2**62) * n**3
    order = elimination_order(pedigree.father, pedigree.mother, keep)
    if min(quad, part) > THETA_MAX_COST:
        warnings.warn(
            f"theta correction: {count} founder alleles over {n} alleles is too "
            "large to compute exactly; this pedigree likelihood uses theta 0 at "
            "this marker (the victim's population term keeps theta)",
            KinshipWarning,
            stacklevel=2,
        )
        return np.asarray(eliminate(build_batch(pedigree, [item]), order, keep)[0])
    if quad <= part:
        points, weights = _dirichlet_rule(loc.freqs, alpha, count)
        points *= loc.freqs.sum()
        base = build_batch(pedigree, [item])
        total: np.ndarray | float = 0.0
        step = 2048
        for start in range(0, len(points), step):
            pts = points[start : start + step]
            factors = [
                (scope, np.broadcast_to(arr, (len(pts),) + arr.shape[1:]))
                if len(scope) != 1
                else (scope, pts)
                for scope, arr in base
            ]
            res = eliminate(factors, order, keep)
            total = total + np.tensordot(weights[start : start + step], res, axes=1)
        return np.asarray(total)
    base = [f for f in build_batch(pedigree, [item]) if len(f[0]) != 1]
    rising = math.prod(alpha + j for j in range(count))
    summed: np.ndarray | float = 0.0
    for blocks in _set_partitions(count):
        rep: dict[int, int] = {}
        weight = 1.0 / rising
        for b in range(max(blocks) + 1):
            members = [founders[i] for i, x in enumerate(blocks) if x == b]
            weight *= alpha * math.factorial(len(members) - 1)
            for v in members:
                rep[v] = members[0]
        factors = [_tie(scope, arr, rep) for scope, arr in base]
        factors += [((v,), loc.freqs[None]) for v in sorted(set(rep.values()))]
        out = tuple(rep.get(v, v) for v in keep)
        tied_order = [v for v in order if v not in out]
        if len(set(out)) < len(out):
            # The target's two founder alleles are one ancestral copy.
            res = np.diag(eliminate(factors, tied_order, out[:1])[0])
        else:
            res = eliminate(factors, tied_order, out)[0]
        summed = summed + weight * res
    return np.asarray(summed)


def hardy_weinberg(freqs: np.ndarray, theta: float = 0.0) -> np.ndarray:
    """Return ordered genotype probabilities of one person from the population.

    With ``theta > 0`` the person's two alleles are drawn with the
    subpopulation correction, as the founders of a pedigree are
    (:func:`urn_table`): ``P(aa) = p_a (θ + (1-θ) p_a)`` and
    ``P(ab) = 2 (1-θ) p_a p_b`` (split evenly between the two orders).  An
    untyped family then gives an LR of exactly 1 at any θ.
    """
    p = np.asarray(freqs, dtype=float)
    if theta <= 0.0:
        return np.outer(p, p)
    t = float(theta)
    out = (1.0 - t) * np.outer(p, p)
    out[np.diag_indices(len(p))] += t * p
    return out


def observation_probability(
    ordered: np.ndarray, a: int, b: int, dropout: float = 0.0
) -> float:
    """Return ``sum_g P(g) P(observed a/b | g)`` for an ordered genotype table."""
    d = float(dropout)
    if a != b:
        return float((ordered[a, b] + ordered[b, a]) * (1.0 - d) ** 2)
    if d == 0.0:
        return float(ordered[a, a])
    hetero = ordered[a, :].sum() + ordered[:, a].sum() - 2.0 * ordered[a, a]
    return float(ordered[a, a] * (1.0 - d * d) + hetero * d * (1.0 - d))


def pedigree_loglik(
    pedigree: Pedigree,
    genotypes: Mapping[str, Profile],
    markers: Mapping[str, Marker] | Sequence[Marker],
    *,
    dropout: Mapping[str, float] | None = None,
) -> float:
    """Return the natural log-likelihood of ``{id: {locus: (a, b)}}``.

    Markers are independent; loci without a marker are ignored.  Returns
    ``-inf`` when the data are impossible.
    """
    items = markers.values() if isinstance(markers, Mapping) else markers
    used: list[Marker] = []
    genos: list[dict[str, Genotype]] = []
    for marker in items:
        g = {
            i: prof[marker.name] for i, prof in genotypes.items() if marker.name in prof
        }
        if g:
            used.append(marker)
            genos.append(g)
    liks = marker_likelihoods(pedigree, genos, used, dropout=dropout)
    if np.any(liks <= 0.0):
        return -math.inf
    return float(np.log(liks).sum())


# ----------------------------------------------------------- varying evidence

#: Bytes allowed for one intermediate factor of :func:`evidence_likelihoods`.
EVIDENCE_MEMORY = 64 * 2**20

#: Above this many local alleles :func:`evidence_likelihoods` scores each
#: evidence row on its own (smaller allele sets per row beat shared factors).
EVIDENCE_MAX_LOCAL = 12

# (scope, array, index): ``index`` maps each evidence row to a row of
# ``array``; ``None`` means one shared array without a row axis.
_DFactor = tuple[tuple[int, ...], np.ndarray, "np.ndarray | None"]

_DPATHS: dict[tuple[object, ...], list[object]] = {}


@lru_cache(maxsize=4096)
def _evidence_order(
    father: tuple[int, ...],
    mother: tuple[int, ...],
    slots: tuple[tuple[int, int], ...],
    rows: int,
    size: int,
) -> tuple[int, ...]:
    """Greedy elimination order for :func:`_eliminate_rows`.

    ``slots`` are ``(person, variants)`` with varying evidence.  Each step
    eliminates the variable whose new factor is cheapest to compute: the
    number of evidence combinations it would carry (at most ``rows``) times
    ``size`` to the number of its variables.  Evidence-free parts go first
    (computed once for all rows) and evidence is merged as late as possible.
    """
    factors: list[tuple[frozenset[int], frozenset[int]]] = [
        (frozenset(sc), frozenset()) for sc in _scopes(father, mother)
    ]
    for k, (person, _) in enumerate(slots):
        factors.append((frozenset((2 * person, 2 * person + 1)), frozenset([k])))
    counts = [c for _, c in slots]
    remaining = set(range(2 * len(father)))
    order: list[int] = []
    while remaining:
        best: tuple[float, int] | None = None
        for v in remaining:
            scope: set[int] = set()
            ev: set[int] = set()
            for sc, e in factors:
                if v in sc:
                    scope |= sc
                    ev |= e
            combos = 1
            for k in ev:
                combos = min(rows, combos * counts[k])
            cost = combos * float(size) ** len(scope)
            if best is None or (cost, v) < best:
                best = (cost, v)
        assert best is not None
        v = best[1]
        inv = [f for f in factors if v in f[0]]
        factors = [f for f in factors if v not in f[0]]
        if inv:
            factors.append(
                (
                    frozenset().union(*(f[0] for f in inv)) - {v},
                    frozenset().union(*(f[1] for f in inv)),
                )
            )
        remaining.discard(v)
        order.append(v)
    return tuple(order)


@lru_cache(maxsize=4096)
def _max_clique(
    father: tuple[int, ...], mother: tuple[int, ...], order: tuple[int, ...]
) -> int:
    scopes = [set(s) for s in _scopes(father, mother)]
    width = max((len(s) for s in scopes), default=0)
    for v in order:
        involved = [s for s in scopes if v in s]
        if not involved:
            continue
        scopes = [s for s in scopes if v not in s]
        union = set().union(*involved)
        width = max(width, len(union))
        scopes.append(union - {v})
    return width


def _combine_index(
    indices: Sequence[np.ndarray], sizes: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct index combinations ``(U, k)`` and each row's one."""
    key = indices[0].astype(np.int64)
    for idx, size in zip(indices[1:], sizes[1:], strict=True):
        _, key = np.unique(key * size + idx, return_inverse=True)
    _, first = np.unique(key, return_index=True)
    combos = np.stack([i[first] for i in indices], axis=1)
    return combos, key.reshape(-1)


def _dcontract(involved: Sequence[_DFactor], out: tuple[int, ...]) -> _DFactor:
    labels: dict[int, int] = {}
    operands: list[Any] = []
    key: list[object] = []
    shared = [f for f in involved if f[2] is not None]
    combos: np.ndarray | None = None
    inv: np.ndarray | None = None
    if len(shared) == 1:
        inv = shared[0][2]
    elif shared:
        combos, inv = _combine_index(
            [f[2] for f in shared],  # type: ignore[misc]
            [len(f[1]) for f in shared],
        )
    j = 0
    for scope, arr, idx in involved:
        sub = [labels.setdefault(v, len(labels) + 1) for v in scope]
        if idx is not None:
            if combos is not None:
                arr = arr[combos[:, j]]
            j += 1
            sub = [0, *sub]
        operands += [arr, sub]
        key.append((arr.ndim, tuple(sub)))
    out_sub = [labels.setdefault(v, len(labels) + 1) for v in out]
    if shared:
        out_sub = [0, *out_sub]
    operands.append(out_sub)
    if len(involved) <= 2:
        res = np.einsum(*operands)
    else:
        cache_key = (tuple(key), tuple(out_sub), involved[0][1].shape[-1])
        path = _DPATHS.get(cache_key)
        if path is None:
            path = np.einsum_path(*operands, optimize="greedy")[0]
            if len(_DPATHS) > 100_000:
                _DPATHS.clear()
            _DPATHS[cache_key] = path
        res = _run_path(operands, path)
    return out, res, inv


def _eliminate_rows(
    factors: list[_DFactor], order: Sequence[int], rows: int
) -> np.ndarray:
    """Sum out ``order``; factors with an index vary by row.  Returns ``(rows,)``.

    Each elimination step only computes the distinct combinations of the
    varying factors it involves, so work shared by many rows is done once.
    """
    pool = list(factors)
    for v in order:
        involved = [f for f in pool if v in f[0]]
        if not involved:
            continue
        pool = [f for f in pool if v not in f[0]]
        scope = tuple(sorted(set().union(*(f[0] for f in involved)) - {v}))
        pool.append(_dcontract(involved, scope))
    out = np.ones(rows)
    for scope, arr, idx in pool:
        assert not scope
        out = out * (arr if idx is None else arr[idx])
    return out


def evidence_likelihoods(
    pedigree: Pedigree,
    refs: Mapping[str, Genotype],
    marker: Marker,
    slots: Sequence[str],
    options: Sequence[Sequence[Genotype]],
    choice: np.ndarray,
    *,
    dropout: float = 0.0,
    theta: float = 0.0,
) -> np.ndarray:
    """Return ``P(refs, evidence row)`` at one marker for each row of ``choice``.

    ``slots`` are individuals whose genotype varies between rows:
    ``choice[r, s]`` is an index into ``options[s]`` (genotypes observed with
    per-allele ``dropout``) or ``-1`` (untyped).  The pedigree, allele lumping
    and elimination order are shared by all rows and each intermediate factor
    is computed once per distinct combination of the evidence it involves, so
    many placements of victims in one family cost little more than one.
    """
    choice = np.asarray(choice, dtype=np.int64).reshape(len(choice), len(slots))
    rows = len(choice)
    typed, observed = _typed_indices(pedigree, refs, marker, None)
    used = [s for s in range(len(slots)) if options[s] and np.any(choice[:, s] >= 0)]
    opt_idx: dict[int, list[tuple[int, int]]] = {}
    for s in used:
        pairs = []
        for g in options[s]:
            try:
                a, b = marker.index(g[0]), marker.index(g[1])
            except KeyError:
                raise KinshipError(
                    f"{slots[s]}: allele of {g} not in marker {marker.name}"
                ) from None
            pairs.append((a, b))
            observed += [a, b]
        opt_idx[s] = pairs
    slot_pos = {s: pedigree.index(slots[s]) for s in used}
    small, kept = prune(pedigree, set(typed) | set(slot_pos.values()))
    if len(small) == 0 or rows == 0:
        return np.ones(rows)
    loc = local_alleles(marker, observed)
    if loc.size > EVIDENCE_MAX_LOCAL or theta > 0.0:
        genos: list[dict[str, Genotype]] = []
        for r in range(rows):
            row = dict(refs)
            for s in used:
                if choice[r, s] >= 0:
                    row[slots[s]] = options[s][choice[r, s]]
            genos.append(row)
        drop = {slots[s]: dropout for s in used}
        return marker_likelihoods(
            pedigree, genos, [marker] * rows, dropout=drop, theta=theta
        ) * _pruning_correction(
            pedigree,
            set(typed),
            [slot_pos[s] for s in used],
            choice[:, used] >= 0,
            float(loc.freqs.sum()),
        )
    where = {k: i for i, k in enumerate(kept)}
    local_typed = {
        where[k]: (int(loc.index[a]), int(loc.index[b]), d)
        for k, (a, b, d) in typed.items()
    }
    base = build_batch(small, [(loc, local_typed)])
    factors: list[_DFactor] = [(scope, arr[0], None) for scope, arr in base]
    n = loc.size
    for s in used:
        k = where[slot_pos[s]]
        arr = np.empty((len(opt_idx[s]) + 1, n, n))
        arr[0] = 1.0
        for r, (a, b) in enumerate(opt_idx[s]):
            arr[r + 1] = observation_matrix(
                n, int(loc.index[a]), int(loc.index[b]), dropout
            )
        factors.append(((2 * k, 2 * k + 1), arr, choice[:, s] + 1))
    # Rounded up to a power of two so that the order is cached across calls.
    order = _evidence_order(
        small.father,
        small.mother,
        tuple((where[slot_pos[s]], len(np.unique(choice[:, s]))) for s in used),
        1 << (rows - 1).bit_length(),
        n,
    )
    width = _max_clique(small.father, small.mother, order)
    chunk = max(1, EVIDENCE_MEMORY // (8 * n**width))
    if chunk >= rows:
        out = _eliminate_rows(factors, order, rows)
    else:
        out = np.empty(rows)
        for start in range(0, rows, chunk):
            stop = min(rows, start + chunk)
            part = [
                (scope, arr, None if idx is None else idx[start:stop])
                for scope, arr, idx in factors
            ]
            out[start:stop] = _eliminate_rows(part, order, stop - start)
    return out * _pruning_correction(
        pedigree,
        set(typed),
        [slot_pos[s] for s in used],
        choice[:, used] >= 0,
        float(loc.freqs.sum()),
    )


@lru_cache(maxsize=65536)
def _founder_sides(pedigree: Pedigree, typed: frozenset[int]) -> int:
    """Founder alleles left after pruning ``pedigree`` for ``typed``."""
    small = prune(pedigree, set(typed))[0]
    return sum(f < 0 for f in small.father) + sum(m < 0 for m in small.mother)


def _pruning_correction(
    pedigree: Pedigree,
    typed: set[int],
    slot_pos: Sequence[int],
    present: np.ndarray,
    total: float,
) -> np.ndarray | float:
    """Match per-row pruning where the frequencies do not sum exactly to 1.

    An untyped founder allele sums to ``total`` (1 up to the rounding of the
    frequency table).  Rows pruned on their own would not carry the founders
    that only their untyped slots keep in the shared pedigree, so each row is
    divided by ``total`` once per such founder allele.
    """
    if total == 1.0 or not len(slot_pos):
        return 1.0
    everyone = _founder_sides(pedigree, frozenset(typed | set(slot_pos)))
    masks, inv = np.unique(present, axis=0, return_inverse=True)
    factor = np.empty(len(masks))
    for u, mask in enumerate(masks):
        keep = typed | {k for k, on in zip(slot_pos, mask, strict=True) if on}
        factor[u] = total ** (_founder_sides(pedigree, frozenset(keep)) - everyone)
    return factor[inv.reshape(-1)]

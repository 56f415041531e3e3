"""Screening many victims against many families, and gene-dropping simulation.

For every (family, missing person) target and marker the posterior
``P(g_M | refs)`` is computed once (batched over families that share a
pedigree shape).  It becomes a table of per-locus log LRs indexed by the
victim's observed genotype, so the victim x target LR is a sum of table
look-ups, vectorised over victims and processed in blocks of targets: the
full victim x target matrix is never held in memory.  Per victim only the
candidates at or above ``threshold`` and the ``top_k`` best targets are kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kinship.case import Case, Family, Pedigree, Profile
from kinship.errors import KinshipError
from kinship.likelihood import (
    eliminate,
    elimination_order,
    expand_posterior,
    genotype_posteriors,
    hardy_weinberg,
    is_inbred,
    prune,
)
from kinship.markers import Marker

#: log LR given to a locus where the victim is impossible for the target.
EXCLUDED = -1.0e4


@dataclass
class Candidate:
    """A victim x target pair: LR, log10 LR and number of inconsistent loci."""

    victim: str
    family: str
    missing: str
    log10_lr: float
    inconsistent: int

    @property
    def lr(self) -> float:
        """The LR (0 when some locus excludes the pair)."""
        if self.inconsistent:
            return 0.0
        return 10.0**self.log10_lr if self.log10_lr < 308 else math.inf


@dataclass
class ScreeningResult:
    """Candidates above the threshold and each victim's top-k targets."""

    threshold: float
    candidates: list[Candidate] = field(default_factory=list)
    top: dict[str, list[Candidate]] = field(default_factory=dict)
    n_pairs: int = 0


def _obs_table(post: np.ndarray, dropout: float) -> np.ndarray:
    """Return ``P(obs a/b)`` for ``a <= b`` from ordered tables ``(B, n, n)``.

    Columns follow :func:`numpy.triu_indices` (see :func:`_unordered_index`).
    """
    d = float(dropout)
    n = post.shape[1]
    iu, ju = np.triu_indices(n)
    out = (post[:, iu, ju] + post[:, ju, iu]) * (1.0 - d) ** 2
    diag = np.einsum("bii->bi", post)
    hetero = post.sum(axis=2) + post.sum(axis=1) - 2.0 * diag
    out[:, iu == ju] = diag * (1.0 - d * d) + hetero * d * (1.0 - d)
    return np.asarray(out)


def _unordered_index(n: int, a: int, b: int) -> int:
    """Column of genotype a/b in :func:`_obs_table` (row-major upper triangle)."""
    i, j = min(a, b), max(a, b)
    return i * n - i * (i - 1) // 2 + (j - i)


def _structure_key(family: Family, missing: str) -> tuple[object, ...]:
    ped = family.pedigree
    typed = tuple(sorted(ped.index(i) for i in family.genotypes))
    return (ped.father, ped.mother, ped.index(missing), typed)


def proportional_rate(mat: np.ndarray | None, freqs: np.ndarray) -> float | None:
    """Return ``a`` if ``mat == (1 - a) I + a 1 p^T`` (None: identity, a = 0).

    Such matrices (no mutation, the proportional model) lump exactly: merging
    alleles gives the same form over the merged frequencies, and a posterior
    over a merged allele splits back in proportion to the frequencies.
    Returns None for any other matrix.
    """
    if mat is None:
        return 0.0
    n = len(freqs)
    if n < 2:
        return None
    a = float(mat[0, 1] / freqs[1])
    expect = (1.0 - a) * np.eye(n) + a * freqs[None, :]
    if not np.allclose(mat, expect, rtol=1e-12, atol=1e-15):
        return None
    return a


def _fast_posteriors(
    ped: Pedigree,
    target: str,
    typed_ids: Sequence[str],
    alleles: np.ndarray,
    marker: Marker,
    rates: tuple[float, float],
    *,
    split: bool = False,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool], np.ndarray]:
    """Posterior of ``target``'s ordered genotype for a batch of families.

    ``alleles[b, r]`` are the two allele indices of typed reference
    ``typed_ids[r]`` in family ``b`` (-1: untyped at this marker).  Each
    family's alleles are restricted to those its references carry plus one
    lumped allele (exact for the matrices of :func:`proportional_rate`) and
    padded to a common size, so all families are eliminated together.
    ``split`` carries the lump as two halves, needed when the target is inbred
    (:func:`kinship.likelihood.expand_posterior`).
    Returns the posteriors as ``expand_posterior``'s arguments (expanded to
    ``(B, n, n)`` tables by it, in whole or at a few genotypes) and ``(B,)``
    reference likelihoods.
    """
    batch, n_typed = alleles.shape[:2]
    flat = alleles.reshape(batch, 2 * n_typed)
    width = 2 * n_typed
    # One slot per observed allele copy, then the lump (or its two halves).
    size = width + 1 + int(split)
    lump = width
    p = marker.freqs
    eq = flat[:, :, None] == flat[:, None, :]
    first = ~np.tril(eq, -1).any(axis=2) & (flat >= 0)
    slot = np.argmax(eq, axis=2)  # first slot holding the same allele
    q = np.zeros((batch, size))
    q[:, :width] = np.where(first, p[np.maximum(flat, 0)], 0.0)
    rest = np.maximum(p.sum() - q[:, :width].sum(axis=1), 0.0)
    q[:, lump:] = (rest / (1 + int(split)))[:, None]
    founder = q
    eye = np.eye(size)
    trans = []
    for a in rates:
        mat = (1.0 - a) * eye[None] + a * q[:, None, :]
        trans.append(0.5 * (mat[:, :, None, :] + mat[:, None, :, :]))
    typed_pos = [ped.index(i) for i in typed_ids]
    t_pos = ped.index(target)
    small, kept = prune(ped, set(typed_pos) | {t_pos})
    where = {k: i for i, k in enumerate(kept)}
    rows = np.arange(batch)
    factors: list[tuple[tuple[int, ...], np.ndarray]] = []
    for k in range(len(small)):
        f, m = small.father[k], small.mother[k]
        factors.append(
            ((2 * f, 2 * f + 1, 2 * k), trans[0]) if f >= 0 else ((2 * k,), founder)
        )
        factors.append(
            ((2 * m, 2 * m + 1, 2 * k + 1), trans[1])
            if m >= 0
            else ((2 * k + 1,), founder)
        )
    for r, pos in enumerate(typed_pos):
        if pos not in where:
            continue
        k = where[pos]
        present = flat[:, 2 * r] >= 0
        sa, sb = slot[:, 2 * r], slot[:, 2 * r + 1]
        obs = np.zeros((batch, size, size))
        obs[rows, sa, sb] = 1.0
        obs[rows, sb, sa] = 1.0
        obs[~present] = 1.0
        factors.append(((2 * k, 2 * k + 1), obs))
    t = where[t_pos]
    keep = (2 * t, 2 * t + 1)
    order = elimination_order(small.father, small.mother, keep)
    joint = eliminate(factors, order, keep)
    total = joint.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        post = joint / np.where(total > 0, total, 1.0)[:, None, None]
    # Back to the marker's alleles: observed ones by slot, the others share
    # the lump in proportion to their frequencies.
    n = marker.n_alleles
    idx = np.full((batch, n), lump)
    for j in range(width - 1, -1, -1):
        sel = first[:, j]
        idx[rows[sel], flat[sel, j]] = j
    return (post, idx, idx == lump, p, split), total


class _Posteriors:
    """A batch of posteriors of the target's ordered genotype at one marker:
    whole ``(B, n, n)`` tables, or the compact form of :func:`_fast_posteriors`
    expanded on demand (all of it, or the rows and columns a few victims'
    genotypes need)."""

    def __init__(
        self,
        full: np.ndarray | None = None,
        compact: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]
        | None = None,
    ) -> None:
        self._full, self._compact = full, compact

    def table(self) -> np.ndarray:
        if self._full is None:
            assert self._compact is not None
            self._full = expand_posterior(*self._compact)
        return self._full

    def block(self, xs: np.ndarray | None, ys: np.ndarray | None) -> np.ndarray:
        """Rows ``xs`` and columns ``ys`` (None: all) of :meth:`table`."""
        if self._full is not None or self._compact is None:
            full = self.table()
            # C-ordered, as ``expand_posterior``'s (sums over it then add
            # in the whole table's order).
            return np.ascontiguousarray(
                full[:, slice(None) if xs is None else xs][
                    :, :, slice(None) if ys is None else ys
                ]
            )
        return expand_posterior(*self._compact, xs=xs, ys=ys)


def _group_posteriors(
    targets: Sequence[tuple[Family, str]],
    markers: Sequence[Marker],
    theta: float,
) -> Iterator[tuple[np.ndarray, int, _Posteriors, np.ndarray]]:
    """Per group of targets sharing a pedigree shape and per marker:
    ``(members, m, posteriors, ok)``, ``ok`` False where the references are
    impossible at the marker under the model."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for t, (fam, missing) in enumerate(targets):
        groups.setdefault(_structure_key(fam, missing), []).append(t)
    for members in groups.values():
        rep, rep_missing = targets[members[0]]
        ped: Pedigree = rep.pedigree
        typed_ids = sorted(rep.genotypes, key=ped.index)
        # Each family's typed references, in the representative's order.
        profiles = [
            [
                targets[t][0].genotypes[targets[t][0].pedigree.ids[ped.index(ident)]]
                for ident in typed_ids
            ]
            for t in members
        ]
        where = np.array(members)
        for m, marker in enumerate(markers):
            male = proportional_rate(marker.male_matrix, marker.freqs)
            female = proportional_rate(marker.female_matrix, marker.freqs)
            if male is not None and female is not None and typed_ids and not theta:
                at = marker.positions()
                flat: list[int] = []
                for profs in profiles:
                    for r, prof in enumerate(profs):
                        g = prof.get(marker.name)
                        if g is None:
                            flat += (-1, -1)
                            continue
                        try:
                            flat += (at[g[0]], at[g[1]])
                        except KeyError:
                            raise KinshipError(
                                f"{typed_ids[r]}: allele of {g} not in marker "
                                f"{marker.name}"
                            ) from None
                alleles = np.array(flat, dtype=np.int64).reshape(
                    len(members), len(typed_ids), 2
                )
                compact, lik = _fast_posteriors(
                    ped,
                    rep_missing,
                    typed_ids,
                    alleles,
                    marker,
                    (male, female),
                    split=is_inbred(ped, rep_missing),
                )
                yield where, m, _Posteriors(compact=compact), lik > 0
            else:
                genos = []
                for t in members:
                    fam = targets[t][0]
                    genos.append(
                        {
                            ped.ids[fam.pedigree.index(i)]: prof[marker.name]
                            for i, prof in fam.genotypes.items()
                            if marker.name in prof
                        }
                    )
                res = genotype_posteriors(
                    ped, genos, [marker] * len(members), rep_missing, theta=theta
                )
                post = np.stack([p for p, _ in res])
                ok = np.array([lik > 0 for _, lik in res])
                yield where, m, _Posteriors(full=post), ok


def _table_layout(markers: Sequence[Marker]) -> tuple[list[int], np.ndarray]:
    """Per marker the number of unordered genotypes (the rows of its part of
    a targets' table) and where each marker's part starts (the last: the
    table's zero row)."""
    widths = [m.n_alleles * (m.n_alleles + 1) // 2 for m in markers]
    return widths, np.concatenate([[0], np.cumsum(widths)])


def _log_lr(obs: np.ndarray, log_pop: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``log(obs) - log_pop`` per target (rows) and genotype (columns):
    ``EXCLUDED`` where the genotype is impossible for the target, 0 for the
    targets whose references are impossible at the marker (``~ok``)."""
    with np.errstate(divide="ignore"):
        logt: np.ndarray = np.log(obs) - log_pop[None, :]
    logt[~np.isfinite(logt)] = EXCLUDED
    logt[~ok] = 0.0
    return logt


def _population(marker: Marker, dropout: float, theta: float) -> np.ndarray:
    """``P(obs a/b)`` of an unrelated person, in :func:`_obs_table` columns."""
    return np.asarray(_obs_table(hardy_weinberg(marker.freqs, theta)[None], dropout)[0])


def _targets_tables(
    targets: Sequence[tuple[Family, str]],
    markers: Sequence[Marker],
    dropout: float,
    theta: float,
    usable: np.ndarray | None = None,
) -> np.ndarray:
    """Return the ``(width, len(targets))`` log LR table (last row 0).

    Row ``offsets[m] + _unordered_index(n, a, b)`` holds marker ``m``'s log LR
    of an observed a/b for every target.  ``usable``, a ``(len(targets),
    len(markers))`` boolean array, is set False where the references are
    impossible at a marker under the model (that marker's rows are 0 then).
    """
    widths, offsets = _table_layout(markers)
    table = np.zeros((len(targets), int(offsets[-1]) + 1))
    pops = [np.log(_population(m, dropout, theta)) for m in markers]
    for members, m, post, ok in _group_posteriors(targets, markers, theta):
        logt = _log_lr(_obs_table(post.table(), dropout), pops[m], ok)
        table[members, offsets[m] : offsets[m + 1]] = logt
        if usable is not None:
            usable[members, m] = ok
    return np.ascontiguousarray(table.T)


def _targets_scores(
    targets: Sequence[tuple[Family, str]],
    markers: Sequence[Marker],
    dropout: float,
    theta: float,
    vidx: np.ndarray,
) -> np.ndarray:
    """``(len(victims), len(targets))``: each victim's score against each
    target, the sum over the markers of ``_targets_tables(...)[vidx[m]]``
    (``vidx`` of :func:`_victim_rows`), computed at the victims' genotypes
    only: for a few victims against many targets, without each target's
    whole table (the same values)."""
    widths, offsets = _table_layout(markers)
    n_victims = vidx.shape[1]
    # Per marker: the victims typed there, their alleles a <= b, and the
    # distinct alleles they carry (the rows and columns needed).
    needs = []
    for m, marker in enumerate(markers):
        col = vidx[m] - offsets[m]
        typed = np.nonzero(col < widths[m])[0]
        iu, ju = np.triu_indices(marker.n_alleles)
        a, b = iu[col[typed]], ju[col[typed]]
        xs = np.unique(np.concatenate([a, b]))
        pop = np.log(_population(marker, dropout, theta)[col[typed]])
        needs.append(
            (typed, a, b, xs, np.searchsorted(xs, a), np.searchsorted(xs, b), pop)
        )
    acc = np.zeros((len(targets), n_victims))
    d = float(dropout)
    for members, m, post, ok in _group_posteriors(targets, markers, theta):
        typed, a, b, xs, ka, kb, pop = needs[m]
        if not len(typed):
            continue
        rows = post.block(xs, None)  # (B, K, n): full[x, y]
        obs = (rows[:, ka, b] + rows[:, kb, a]) * (1.0 - d) ** 2
        homo = a == b
        if homo.any():
            cols = post.block(None, xs)  # (B, n, K): full[y, x]
            diag = rows[:, ka[homo], a[homo]]
            # As ``_obs_table``'s row and column sums (the same order).
            hetero = (
                rows[:, ka[homo], :].sum(axis=2)
                + _column_sums(cols[:, :, ka[homo]])
                - 2.0 * diag
            )
            obs[:, homo] = diag * (1.0 - d * d) + hetero * d * (1.0 - d)
        logt = _log_lr(obs, pop, ok)
        acc[np.ix_(members, typed)] += logt
    return np.ascontiguousarray(acc.T)


def _column_sums(block: np.ndarray) -> np.ndarray:
    """``block.sum(axis=1)`` added in row order, as numpy reduces the middle
    axis of a whole ``(B, n, n)`` table."""
    out = block[:, 0, :].copy()
    for i in range(1, block.shape[1]):
        out += block[:, i, :]
    return out


def _candidate(victim: str, family: str, missing: str, score: float) -> Candidate:
    """Decode a score ``EXCLUDED * inconsistent + log LR`` into a candidate."""
    score = float(score)
    bad = int(round(-score / -EXCLUDED)) if score < EXCLUDED / 2 else 0
    return Candidate(
        victim, family, missing, (score - EXCLUDED * bad) / math.log(10), bad
    )


def screen(
    victims: Mapping[str, Profile],
    targets: Sequence[tuple[Family, str]],
    markers: Mapping[str, Marker],
    *,
    threshold: float = 1e4,
    top_k: int = 10,
    dropout: float = 0.0,
    theta: float = 0.0,
    block: int = 512,
) -> ScreeningResult:
    """Screen victims' profiles against ``(family, missing person)`` targets.

    Returns the pairs with LR >= ``threshold`` (``threshold=0``: every pair)
    and each victim's ``top_k`` targets with the number of inconsistent loci
    (LR 0 at that locus).
    """
    mlist = list(markers.values())
    names, vidx, _missing_row = _victim_rows(victims, mlist)
    result = ScreeningResult(threshold)
    k = max(1, top_k)
    best = np.full((len(names), k), -np.inf)
    best_t = np.full((len(names), k), -1, dtype=np.int64)
    log_thr = math.log(threshold) if threshold > 0 else -math.inf
    for start in range(0, len(targets), block):
        chunk = targets[start : start + block]
        table = _targets_tables(chunk, mlist, dropout, theta)
        # Victims x targets: each marker adds whole rows of the table, a few
        # victims at a time so the running sums stay in the CPU cache.
        acc = np.empty((len(names), len(chunk)))
        step = max(32, 2**16 // max(len(chunk), 1))
        buf = np.empty((step, len(chunk)))
        for v0 in range(0, len(names), step):
            v1 = min(len(names), v0 + step)
            part, tmp = acc[v0:v1], buf[: v1 - v0]
            np.take(table, vidx[0, v0:v1], axis=0, out=part)
            for m in range(1, len(mlist)):
                np.take(table, vidx[m, v0:v1], axis=0, out=tmp)
                part += tmp
        del buf
        result.n_pairs += acc.size
        # Scores decode as EXCLUDED * inconsistent + log LR.
        hits = np.nonzero(log_thr <= acc.T)
        for t, v in zip(hits[0].tolist(), hits[1].tolist(), strict=True):
            fam, miss = chunk[t]
            result.candidates.append(_candidate(names[v], fam.name, miss, acc[v, t]))
        merged = np.concatenate([best, acc], axis=1)
        merged_t = np.concatenate(
            [
                best_t,
                np.broadcast_to(np.arange(start, start + len(chunk)), acc.shape),
            ],
            axis=1,
        )
        if merged.shape[1] > k:
            keep = np.argpartition(-merged, k - 1, axis=1)[:, :k]
        else:
            keep = np.broadcast_to(np.arange(merged.shape[1]), merged.shape)
        best = np.take_along_axis(merged, keep, axis=1)
        best_t = np.take_along_axis(merged_t, keep, axis=1)
    for v, name in enumerate(names):
        order = np.argsort(-best[v])
        row = []
        for j in order:
            t = int(best_t[v, j])
            if t < 0:
                continue
            fam, miss = targets[t]
            row.append(_candidate(name, fam.name, miss, best[v, j]))
        result.top[name] = row
    return result


#: ``screen_pairs`` with this many victims or fewer (a new post-mortem
#: profile against the register's families) computes their scores at their
#: genotypes only: each family's whole table costs more than a few look-ups.
#: (``benchmarks/bench_kinship.py --point``: about even at 8 to 16 victims.)
POINT_VICTIMS = 8


def screen_pairs(
    victims: Mapping[str, Profile],
    targets: Sequence[tuple[Family, str]],
    markers: Mapping[str, Marker],
    *,
    threshold: float,
    dropout: float = 0.0,
    theta: float = 0.0,
    block: int = 512,
    victim_rows: Callable[
        [Mapping[str, Profile], Sequence[Marker]], tuple[list[str], np.ndarray, int]
    ]
    | None = None,
    targets_tables: Callable[
        [Sequence[tuple[Family, str]], Sequence[Marker], float, float], np.ndarray
    ]
    | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of ``screen`` with an LR of ``threshold`` or more, as arrays.

    Returns the victims' names and, per pair, the victim's index (into the
    names), the target's index (into ``targets``) and the log10 LR, sorted by
    victim then target. No top-k and no Python object per pair: for screening
    many victims against many families where a large share of the pairs is kept.
    ``victim_rows`` and ``targets_tables``: to use in place of
    ``_victim_rows`` and ``_targets_tables`` (a caller that keeps their
    results for the same victims, families and markers); the same results.
    With at most ``POINT_VICTIMS`` victims the scores are computed at their
    genotypes only (:func:`_targets_scores`, the same values) and
    ``targets_tables`` is not called.
    """
    mlist = list(markers.values())
    names, vidx, _missing_row = (victim_rows or _victim_rows)(victims, mlist)
    tables_of = targets_tables or _targets_tables
    log_thr = math.log(threshold) if threshold > 0 else -math.inf
    n_victims = len(names)
    # Per block of targets: the kept pairs' targets and log10 LRs (in victim
    # then target order) and how many each victim has. The victims' indices
    # are not kept: the blocks are written straight to their sorted places
    # below (no concatenation and no sort of every pair: at national scale
    # that held four copies of the tens of millions of pairs at once).
    parts_t: list[np.ndarray | None] = []
    parts_s: list[np.ndarray | None] = []
    counts: list[np.ndarray] = []
    point = n_victims <= POINT_VICTIMS
    if point:
        # No table to hold: the families in one block, so that each shape of
        # pedigree is eliminated in one batch (fewer, larger numpy calls).
        block = max(block, len(targets), 1)
    for start in range(0, len(targets), block):
        chunk = targets[start : start + block]
        if point:
            acc = _targets_scores(chunk, mlist, dropout, theta, vidx)
        else:
            table = tables_of(chunk, mlist, dropout, theta)
            acc = np.take(table, vidx[0], axis=0)
            for m in range(1, len(mlist)):
                acc += np.take(table, vidx[m], axis=0)
            del table
        hv, ht = np.nonzero(log_thr <= acc)
        counts.append(np.bincount(hv, minlength=n_victims))
        parts_t.append((ht + start).astype(np.int32))
        parts_s.append(acc[hv, ht] / math.log(10))
        del acc, hv, ht
    per_victim = (
        np.sum(counts, axis=0) if counts else np.zeros(n_victims, dtype=np.int64)
    )
    total = int(per_victim.sum())
    vs = np.repeat(np.arange(n_victims, dtype=np.int32), per_victim)
    ts = np.empty(total, dtype=np.int32)
    ss = np.empty(total, dtype=np.float64)
    # Where each victim's next pair goes (blocks come in target order).
    cursor = np.cumsum(per_victim) - per_victim
    for b, c in enumerate(counts):
        t, s = parts_t[b], parts_s[b]
        parts_t[b] = parts_s[b] = None  # freed as soon as written
        assert t is not None and s is not None
        if not len(t):
            continue
        # Within the block the pairs are grouped by victim, in order.
        dest = np.repeat(cursor - (np.cumsum(c) - c), c) + np.arange(len(t))
        ts[dest] = t
        ss[dest] = s
        cursor += c
        del t, s, dest
    return names, vs, ts, ss


@dataclass
class KeptPairs:
    """The pairs :func:`screen_kept` keeps, as arrays sorted by victim, then by
    decreasing score, then by target.

    ``victim[i]`` indexes ``victims``, ``target[i]`` the targets; ``score[i]``
    is ``EXCLUDED * inconsistent + ln LR`` (see :func:`decode_score`);
    ``log_lr[i, m]`` is marker ``markers[m]``'s natural log LR: ``-inf`` where
    the victim's genotype is impossible for the target, NaN where the victim is
    untyped at the marker or the target's references are impossible there
    under the model (``typed`` tells them apart: ``typed[v, m]``, per victim).
    ``cutoff[v]`` is victim ``v``'s smallest kept score.
    """

    victims: list[str]
    markers: list[str]
    victim: np.ndarray
    target: np.ndarray
    score: np.ndarray
    log_lr: np.ndarray
    typed: np.ndarray
    cutoff: np.ndarray
    n_pairs: int = 0


def decode_score(score: float) -> tuple[float, int]:
    """Return ``(log10 LR over the consistent loci, inconsistent loci)``."""
    c = _candidate("", "", "", score)
    return c.log10_lr, c.inconsistent


def _victim_rows(
    victims: Mapping[str, Profile], mlist: Sequence[Marker]
) -> tuple[list[str], np.ndarray, int]:
    """The victims' names and, per marker and victim, the row of the targets'
    table (``_targets_tables``) their genotype selects; untyped or unknown
    alleles select the last row (returned too), which adds nothing."""
    names = list(victims)
    _widths, offsets = _table_layout(mlist)
    missing_row = int(offsets[-1])
    vidx = np.full((len(mlist), len(names)), missing_row, dtype=np.int64)
    for v, name in enumerate(names):
        prof = victims[name]
        for m, marker in enumerate(mlist):
            g = prof.get(marker.name)
            if g is not None and marker.has(g[0]) and marker.has(g[1]):
                vidx[m, v] = offsets[m] + _unordered_index(
                    marker.n_alleles, marker.index(g[0]), marker.index(g[1])
                )
    return names, vidx, missing_row


class KeptScreen:
    """:func:`screen_kept` fed one block of targets at a time (``add``), so that
    the caller may read targets in chunks; ``result()`` gives the kept pairs.

    Target indices count across all blocks added, in order.  With ``floor``
    (one score per victim) the pairs kept are instead those scoring at least
    the victim's floor (``threshold`` and ``top_k`` then play no part).
    """

    def __init__(
        self,
        victims: Mapping[str, Profile],
        markers: Mapping[str, Marker],
        *,
        threshold: float = 1e4,
        top_k: int = 5,
        dropout: float = 0.0,
        theta: float = 0.0,
        victim_sex: Sequence[int] | None = None,
        floor: np.ndarray | None = None,
    ) -> None:
        self.floor = floor
        #: Called with each block's table and ``usable`` (to keep them).
        self.on_table: Callable[[np.ndarray, np.ndarray], None] | None = None
        self.mlist = list(markers.values())
        self.names, self.vidx, self.missing_row = _victim_rows(victims, self.mlist)
        n_v = len(self.names)
        self.k = max(1, top_k)
        self.log_thr = math.log(threshold) if threshold > 0 else -math.inf
        self.dropout, self.theta = dropout, theta
        self.vsex = np.asarray(
            victim_sex if victim_sex is not None else [0] * n_v, dtype=np.int64
        )
        self.best = np.full((n_v, self.k), -np.inf)
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.n_pairs = 0
        self.n_targets = 0

    def add(
        self,
        targets: Sequence[tuple[Family, str]],
        target_sex: Sequence[int] | None = None,
    ) -> None:
        """Screen every victim against one block of targets."""
        if not targets or not self.names:
            self.n_targets += len(targets)
            return
        usable = np.ones((len(targets), len(self.mlist)), dtype=bool)
        table = _targets_tables(targets, self.mlist, self.dropout, self.theta, usable)
        if self.on_table is not None:
            self.on_table(table, usable)
        self.add_table(table, usable, target_sex)

    def add_table(
        self,
        table: np.ndarray,
        usable: np.ndarray,
        target_sex: Sequence[int] | None = None,
    ) -> None:
        """``add`` with the block's ``_targets_tables`` (and ``usable``) given:
        computed earlier for the same markers, drop-out and theta."""
        n_v = len(self.names)
        n_t = table.shape[1]
        start = self.n_targets
        self.n_targets += n_t
        if not n_t or not n_v:
            return
        vidx, n_m = self.vidx, len(self.mlist)
        acc = np.zeros((n_v, n_t))
        for m in range(n_m):
            acc += np.take(table, vidx[m], axis=0)
        self.n_pairs += acc.size
        if target_sex is not None:
            ts = np.asarray(target_sex, dtype=np.int64)
            vs = self.vsex
            other = (vs[:, None] != ts[None, :]) & (vs[:, None] > 0) & (ts > 0)[None]
            acc[other] = -np.inf
        merged = np.concatenate([self.best, acc], axis=1)
        self.best = -np.partition(-merged, self.k - 1, axis=1)[:, : self.k]
        cutoff = self.cutoff()
        hv, ht = np.nonzero((acc >= cutoff[:, None]) & np.isfinite(acc))
        if len(hv):
            rows = vidx[:, hv].T  # (hits, markers)
            per = table[rows, ht[:, None]]
            per[~usable[ht]] = np.nan
            per[rows == self.missing_row] = np.nan
            per[per <= EXCLUDED / 2] = -np.inf
            self.parts.append((hv, ht + start, acc[hv, ht], per))
        # Drop the held pairs that fell below their victim's cut-off.
        if len(self.parts) > 8:
            self.parts = [self._held(cutoff)]

    def _held(self, cutoff: np.ndarray) -> tuple[np.ndarray, ...]:
        if not self.parts:
            z = np.zeros(0, dtype=np.int64)
            return z, z, np.zeros(0), np.zeros((0, len(self.mlist)))
        hv, ht, sc, per = (np.concatenate([p[i] for p in self.parts]) for i in range(4))
        keep = sc >= cutoff[hv]
        return hv[keep], ht[keep], sc[keep], per[keep]

    def cutoff(self) -> np.ndarray:
        """Each victim's smallest score kept so far."""
        if self.floor is not None:
            return self.floor
        return np.asarray(np.minimum(self.best.min(axis=1), self.log_thr))

    def result(self) -> KeptPairs:
        """The kept pairs of every target added so far."""
        cutoff = self.cutoff()
        hv, ht, sc, per = self._held(cutoff)
        order = np.lexsort((ht, -sc, hv))
        return KeptPairs(
            self.names,
            [m.name for m in self.mlist],
            hv[order].astype(np.int64),
            ht[order].astype(np.int64),
            sc[order],
            per[order],
            (self.vidx != self.missing_row).T,
            cutoff,
            self.n_pairs,
        )


def screen_kept(
    victims: Mapping[str, Profile],
    targets: Sequence[tuple[Family, str]],
    markers: Mapping[str, Marker],
    *,
    threshold: float = 1e4,
    top_k: int = 5,
    dropout: float = 0.0,
    theta: float = 0.0,
    block: int = 512,
    victim_sex: Sequence[int] | None = None,
    target_sex: Sequence[int] | None = None,
) -> KeptPairs:
    """Each victim's targets with an LR of ``threshold`` or more, and its
    ``top_k`` best (all of those tied with the k-th), with per-marker LRs.

    A victim keeps every target whose score is at least ``min(ln threshold,
    its k-th best score)``: a set that depends on nothing but the scores, so
    screening a victim again against all targets, or a changed target against
    all victims, updates it exactly.  Pairs whose sexes are both known
    (``victim_sex``, ``target_sex``: 0 unknown, 1 male, 2 female) and differ
    are never kept and take no top-k place.  Targets are processed in blocks
    of ``block`` (memory: victims x block scores) and per victim only the
    pairs at or above its running cut-off are held.
    """
    run = KeptScreen(
        victims,
        markers,
        threshold=threshold,
        top_k=top_k,
        dropout=dropout,
        theta=theta,
        victim_sex=victim_sex,
    )
    for start in range(0, len(targets), block):
        run.add(
            targets[start : start + block],
            None if target_sex is None else target_sex[start : start + block],
        )
    return run.result()


def screen_case(case: Case, **kwargs: float | int) -> ScreeningResult:
    """Screen a :class:`Case`: every victim against every missing person."""
    targets = [(case.families[case.missing_family[m]], m) for m in case.missing]
    profiles = {name: v.genotypes for name, v in case.victims.items()}
    return screen(profiles, targets, case.markers, **kwargs)  # type: ignore[arg-type]


def simulate_genotypes(
    pedigree: Pedigree,
    markers: Mapping[str, Marker],
    rng: np.random.Generator,
    *,
    ids: Sequence[str] | None = None,
) -> dict[str, Profile]:
    """Gene-drop genotypes through ``pedigree`` (with the markers' mutation).

    Returns profiles of ``ids`` (default: everyone).
    """
    order = pedigree.topological_order()
    out: dict[str, Profile] = {i: {} for i in (ids or pedigree.ids)}
    n = len(pedigree)
    for marker in markers.values():
        alleles = np.zeros((n, 2), dtype=np.int64)
        for k in order:
            for side, par, mat in (
                (0, pedigree.father[k], marker.male_matrix),
                (1, pedigree.mother[k], marker.female_matrix),
            ):
                if par < 0:
                    alleles[k, side] = rng.choice(marker.n_alleles, p=marker.freqs)
                    continue
                a = alleles[par, rng.integers(2)]
                if mat is not None:
                    a = rng.choice(marker.n_alleles, p=mat[a])
                alleles[k, side] = a
        for ident in out:
            k = pedigree.index(ident)
            out[ident][marker.name] = (
                marker.alleles[alleles[k, 0]],
                marker.alleles[alleles[k, 1]],
            )
    return out

"""Identification LRs: pairwise victim x missing person, and joint assignments.

For a victim ``V`` and a missing person ``M`` of family ``F``::

    LR = P(refs of F, V placed as M) / (P(refs of F) P(V))
       = sum_g P(g_M = g | refs) P(obs_V | g) / P(obs_V)

per marker, multiplied over the markers typed in the victim (an untyped locus
contributes a factor 1).  The posterior ``P(g_M | refs)`` is computed once per
family, missing person and marker.
"""

from __future__ import annotations

import heapq
import itertools
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kinship.case import Case, Family, Victim
from kinship.errors import KinshipWarning
from kinship.genemapper import Genotype
from kinship.likelihood import (
    evidence_likelihoods,
    genotype_posteriors,
    hardy_weinberg,
    marker_likelihoods,
    observation_probability,
)
from kinship.lineage import LineageResult, lineage_results
from kinship.markers import Marker


def sex_consistent(a: int, b: int) -> bool:
    """Return True unless both sexes are known and differ."""
    return a == 0 or b == 0 or a == b


class FamilyModel:
    """Cached likelihood quantities of one reference family."""

    def __init__(
        self, family: Family, markers: Mapping[str, Marker], theta: float = 0.0
    ) -> None:
        """Prepare the family; nothing is computed yet."""
        self.family = family
        self.markers = markers
        self.theta = theta
        self._posterior: dict[str, dict[str, np.ndarray]] = {}
        self._ref_lik: dict[str, float] | None = None
        self.skipped: set[str] = set()

    def ref_genotypes(self, locus: str) -> dict[str, Genotype]:
        """Return the typed references' genotypes at a locus."""
        return {i: p[locus] for i, p in self.family.genotypes.items() if locus in p}

    @property
    def ref_likelihoods(self) -> dict[str, float]:
        """Return ``P(refs)`` per locus; loci where it is 0 are skipped."""
        if self._ref_lik is None:
            loci = list(self.markers)
            liks = marker_likelihoods(
                self.family.pedigree,
                [self.ref_genotypes(locus) for locus in loci],
                [self.markers[locus] for locus in loci],
                theta=self.theta,
            )
            self._ref_lik = dict(zip(loci, (float(x) for x in liks), strict=True))
            for locus, lik in self._ref_lik.items():
                if lik <= 0.0:
                    warnings.warn(
                        f"family {self.family.name}: the references are inconsistent "
                        f"at {locus} under the model; the marker is ignored",
                        KinshipWarning,
                        stacklevel=2,
                    )
                    self.skipped.add(locus)
        return self._ref_lik

    def posterior(self, missing: str, locus: str) -> np.ndarray | None:
        """Return ``P(ordered genotype of missing | refs)``; None if skipped."""
        if missing not in self._posterior:
            self.ref_likelihoods  # noqa: B018 - fills self.skipped
            loci = [locus for locus in self.markers if locus not in self.skipped]
            res = genotype_posteriors(
                self.family.pedigree,
                [self.ref_genotypes(locus) for locus in loci],
                [self.markers[locus] for locus in loci],
                missing,
                theta=self.theta,
            )
            self._posterior[missing] = {
                locus: post for locus, (post, _) in zip(loci, res, strict=True)
            }
        return self._posterior[missing].get(locus)

    def log_lr_with(
        self,
        placements: Mapping[str, Victim],
        victim_logp: Mapping[tuple[str, str], float],
        dropout: float,
    ) -> float:
        """Return ``log P(refs, victims placed) - log P(refs) - sum log P(V)``."""
        return self.log_lr_many([placements], victim_logp, dropout)[0]

    def log_lr_many(
        self,
        placements: Sequence[Mapping[str, Victim]],
        victim_logp: Mapping[tuple[str, str], float],
        dropout: float,
    ) -> list[float]:
        """Return :meth:`log_lr_with` for many placements at once.

        Per marker, all placements share one pedigree and elimination; each
        intermediate factor is computed once per distinct combination of the
        victims it involves (:func:`kinship.likelihood.evidence_likelihoods`).
        """
        ref = self.ref_likelihoods
        rows = len(placements)
        slots = sorted({m for p in placements for m in p})
        col = {m: s for s, m in enumerate(slots)}
        victims: dict[str, Victim] = {}
        for p in placements:
            for v in p.values():
                victims[v.name] = v
        names = sorted(victims)
        vnum = {v: k for k, v in enumerate(names)}
        who = np.full((rows, len(slots)), -1, dtype=np.int64)
        for r, p in enumerate(placements):
            for m, v in p.items():
                who[r, col[m]] = vnum[v.name]
        total = np.zeros(rows)
        for locus in self.markers:
            if locus in self.skipped:
                continue
            typed_v = np.array([locus in victims[v].genotypes for v in names], bool)
            if not typed_v.any():
                continue
            # Per slot: the distinct victims typed here that are placed there.
            options: list[list[Genotype]] = []
            choice = np.full((rows, len(slots)), -1, dtype=np.int64)
            for s in range(len(slots)):
                placed = who[:, s]
                ok = placed >= 0
                ok[ok] = typed_v[placed[ok]]
                uniq, inv = np.unique(placed[ok], return_inverse=True)
                options.append([victims[names[u]].genotypes[locus] for u in uniq])
                choice[ok, s] = inv.reshape(-1)
            any_typed = (choice >= 0).any(axis=1)
            if not any_typed.any():
                continue
            sel = np.nonzero(any_typed)[0]
            liks = evidence_likelihoods(
                self.family.pedigree,
                self.ref_genotypes(locus),
                self.markers[locus],
                slots,
                options,
                choice[sel],
                dropout=dropout,
                theta=self.theta,
            )
            logp = np.zeros(len(names))
            for vname in names:
                if typed_v[vnum[vname]]:
                    logp[vnum[vname]] = victim_logp[(vname, locus)]
            placed_logp = np.where(who[sel] >= 0, logp[np.maximum(who[sel], 0)], 0.0)
            with np.errstate(divide="ignore"):
                contrib = np.log(liks) - math.log(ref[locus]) - placed_logp.sum(axis=1)
            contrib[liks <= 0.0] = -math.inf
            total[sel] += contrib
        return [float(x) for x in total]


@dataclass
class PairwiseTable:
    """Pairwise results: rows are victims, columns missing persons."""

    victims: list[str]
    missing: list[str]
    log_lr: np.ndarray
    inconsistent: np.ndarray
    sex_ok: np.ndarray
    victim_loglik: dict[str, float]
    victim_logp: dict[tuple[str, str], float]
    families: dict[str, FamilyModel]
    family_of: dict[str, str]
    dropout: float = 0.0
    #: Y-STR / mtDNA comparisons per (victim, missing); their log LRs are in
    #: ``log_lr`` and in ``lineage_log_lr``.
    lineage: dict[tuple[str, str], list[LineageResult]] = field(default_factory=dict)
    lineage_log_lr: np.ndarray | None = None

    @property
    def lr(self) -> np.ndarray:
        """The LR matrix (0 for sex-inconsistent pairs)."""
        with np.errstate(over="ignore"):
            out = np.exp(self.log_lr)
        return np.where(self.sex_ok, out, 0.0)

    def to_dict(self) -> dict[str, dict[str, float]]:
        """Return ``{victim: {missing: LR}}``."""
        lr = self.lr
        return {
            v: {m: float(lr[i, j]) for j, m in enumerate(self.missing)}
            for i, v in enumerate(self.victims)
        }


def pairwise_table(
    case: Case, *, dropout: float = 0.0, theta: float = 0.0
) -> PairwiseTable:
    """Compute all victim x missing person LRs of a case."""
    victims = list(case.victims)
    missing = list(case.missing)
    family_of = case.missing_family
    models = {
        name: FamilyModel(f, case.markers, theta) for name, f in case.families.items()
    }
    pop = {k: hardy_weinberg(m.freqs, theta) for k, m in case.markers.items()}
    victim_logp: dict[tuple[str, str], float] = {}
    victim_loglik: dict[str, float] = {}
    for v in victims:
        total = 0.0
        for locus, (a, b) in case.victims[v].genotypes.items():
            marker = case.markers[locus]
            p = observation_probability(
                pop[locus], marker.index(a), marker.index(b), dropout
            )
            victim_logp[(v, locus)] = math.log(p)
            total += math.log(p)
        victim_loglik[v] = total
    log_lr = np.zeros((len(victims), len(missing)))
    inconsistent = np.zeros((len(victims), len(missing)), dtype=int)
    sex_ok = np.zeros((len(victims), len(missing)), dtype=bool)
    for j, m in enumerate(missing):
        model = models[family_of[m]]
        msex = case.missing_sex(m)
        for i, v in enumerate(victims):
            victim = case.victims[v]
            sex_ok[i, j] = sex_consistent(victim.sex, msex)
            total = 0.0
            bad = 0
            for locus, (a, b) in victim.genotypes.items():
                post = model.posterior(m, locus)
                if post is None:
                    continue
                marker = case.markers[locus]
                num = observation_probability(
                    post, marker.index(a), marker.index(b), dropout
                )
                if num <= 0.0:
                    bad += 1
                    total = -math.inf
                elif total > -math.inf:
                    total += math.log(num) - victim_logp[(v, locus)]
            log_lr[i, j] = total
            inconsistent[i, j] = bad
    lineage: dict[tuple[str, str], list[LineageResult]] = {}
    lineage_log_lr = np.zeros_like(log_lr)
    if case.lineage:
        for j, m in enumerate(missing):
            fam = case.families[family_of[m]]
            for i, v in enumerate(victims):
                found = lineage_results(case.lineage, fam.pedigree, fam.name, m, v)
                if not found:
                    continue
                lineage[(v, m)] = found
                with np.errstate(divide="ignore"):
                    lineage_log_lr[i, j] = sum(
                        math.log(r.lr) if r.lr > 0 else -math.inf for r in found
                    )
        log_lr = log_lr + lineage_log_lr
    return PairwiseTable(
        victims,
        missing,
        log_lr,
        inconsistent,
        sex_ok,
        victim_loglik,
        victim_logp,
        models,
        family_of,
        dropout,
        lineage,
        lineage_log_lr,
    )


def pairwise_lr(
    case: Case, *, dropout: float = 0.0, theta: float = 0.0
) -> dict[str, dict[str, float]]:
    """Return ``{victim: {missing person: LR}}`` (0 for sex-inconsistent pairs)."""
    return pairwise_table(case, dropout=dropout, theta=theta).to_dict()


# --------------------------------------------------------------------------- joint


@dataclass
class Assignment:
    """One assignment of victims to missing persons (None: nobody)."""

    assignment: dict[str, str | None]
    log_lr: float
    loglik: float
    posterior: float = 0.0

    @property
    def lr(self) -> float:
        """LR against "no one identified" (inf if it overflows)."""
        return math.exp(self.log_lr) if self.log_lr < 709.0 else math.inf


@dataclass
class JointResult:
    """Ranked joint assignments and each victim's posterior over missing persons.

    ``exact`` is True when every non-excluded assignment was enumerated;
    otherwise the posteriors are normalised over the ``n_assignments`` best
    assignments found by Murty's method and ``residual_bound`` (when known)
    bounds the LR mass of the assignments left out, relative to the mass kept.
    """

    assignments: list[Assignment]
    marginals: dict[str, dict[str | None, float]]
    exact: bool
    n_assignments: int
    loglik_null: float
    residual_bound: float | None = None
    pairwise: PairwiseTable | None = field(default=None, repr=False)

    def to_json(self, top: int | None = None) -> dict[str, Any]:
        """Return the CLI's JSON object (``top`` assignments, best first)."""
        shown = self.assignments if top is None else self.assignments[:top]

        def finite(x: float) -> float | None:
            return x if math.isfinite(x) else None

        return {
            "assignments": [
                {
                    "assignment": a.assignment,
                    "loglik": finite(a.loglik),
                    "LR": finite(a.lr),
                    "log10LR": finite(a.log_lr / math.log(10)),
                    "posterior": a.posterior,
                }
                for a in shown
            ],
            "marginals": {
                v: {("null" if k is None else k): p for k, p in d.items()}
                for v, d in self.marginals.items()
            },
            "exact": self.exact,
            "n_assignments": self.n_assignments,
            "residual_bound": self.residual_bound,
            **self._lineage_json(),
        }

    def _lineage_json(self) -> dict[str, Any]:
        """``{"lineage": {victim: {missing: [lines]}}}`` when the case has any."""
        if self.pairwise is None or not self.pairwise.lineage:
            return {}
        out: dict[str, dict[str, list[str]]] = {}
        for (v, m), results in self.pairwise.lineage.items():
            out.setdefault(v, {})[m] = [r.explain() for r in results]
        return {"lineage": out}


def _count(cands: Sequence[Sequence[int]], cap: int) -> int:
    used: set[int] = set()
    count = 0

    def rec(i: int) -> None:
        nonlocal count
        if count > cap:
            return
        if i == len(cands):
            count += 1
            return
        rec(i + 1)
        for j in cands[i]:
            if j not in used:
                used.add(j)
                rec(i + 1)
                used.discard(j)

    rec(0)
    return count


BIG = 1e9


def _solve(cost: np.ndarray) -> tuple[float, tuple[int, ...]] | None:
    # Imported here: scipy.optimize takes ~0.3 s to import and only the
    # approximate branch of ``joint`` needs it.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(cost)
    vals = cost[rows, cols]
    if np.any(vals >= BIG / 2):
        return None
    out = [0] * cost.shape[0]
    for r, c in zip(rows, cols, strict=True):
        out[r] = int(c)
    return float(vals.sum()), tuple(out)


def murty(cost: np.ndarray, k: int) -> Iterator[tuple[float, tuple[int, ...]]]:
    """Yield up to ``k`` cheapest assignments of rows to columns, cheapest first.

    ``cost`` entries ``>= BIG / 2`` are forbidden (Murty 1968, with
    ``scipy.optimize.linear_sum_assignment`` for each subproblem).
    """
    first = _solve(cost)
    if first is None:
        return
    counter = itertools.count()
    heap: list[tuple[float, int, tuple[int, ...], tuple[Any, ...], tuple[Any, ...]]] = [
        (first[0], next(counter), first[1], (), ())
    ]
    n_rows = cost.shape[0]
    produced = 0
    while heap and produced < k:
        value, _, sol, forced, forbidden = heapq.heappop(heap)
        yield value, sol
        produced += 1
        forced_rows = {r for r, _ in forced}
        new_forced = list(forced)
        for r in range(n_rows):
            if r in forced_rows:
                continue
            sub_forbidden = forbidden + ((r, sol[r]),)
            c = cost.copy()
            for fr, fc in new_forced:
                keep = c[fr, fc]
                c[fr, :] = BIG
                c[:, fc] = BIG
                c[fr, fc] = keep
            for br, bc in sub_forbidden:
                c[br, bc] = BIG
            res = _solve(c)
            if res is not None:
                heapq.heappush(
                    heap,
                    (res[0], next(counter), res[1], tuple(new_forced), sub_forbidden),
                )
            new_forced.append((r, sol[r]))


def _logsumexp(values: Sequence[float]) -> float:
    if not values:
        return -math.inf
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


def joint(
    case: Case,
    *,
    dropout: float = 0.0,
    theta: float = 0.0,
    top: int = 10,
    limit: float = 0.0,
    max_enumerate: int = 200_000,
    approx_k: int = 2_000,
    table: PairwiseTable | None = None,
) -> JointResult:
    """Rank joint assignments of victims to missing persons.

    Each victim goes to a sex-consistent missing person whose pairwise LR
    exceeds ``limit`` (an LR of 0 can never become positive jointly, so
    ``limit=0`` loses nothing) or to nobody; each missing person takes at most
    one victim.  Several victims placed in one family are scored by the joint
    pedigree likelihood.  The posterior of an assignment is its LR over the sum
    of all assignments' LRs (flat prior).  Up to ``max_enumerate`` assignments
    are enumerated exactly; beyond that the ``approx_k`` best by pairwise LRs
    (Murty) are scored and the marginals are approximate.
    """
    if table is None:
        table = pairwise_table(case, dropout=dropout, theta=theta)
    victims, missing = table.victims, table.missing
    log_limit = math.log(limit) if limit > 0 else -math.inf
    cands = [
        [
            j
            for j in range(len(missing))
            if table.sex_ok[i, j]
            and table.log_lr[i, j] > log_limit
            and table.log_lr[i, j] > -math.inf
        ]
        for i in range(len(victims))
    ]
    fam_idx = [table.family_of[m] for m in missing]
    multi = {f for f in set(fam_idx) if fam_idx.count(f) > 1}
    cache: dict[tuple[str, frozenset[tuple[int, int]]], float] = {}

    complete: set[str] = set()

    def fill(fam: str, wanted: Sequence[frozenset[tuple[int, int]]]) -> None:
        todo = [p for p in dict.fromkeys(wanted) if (fam, p) not in cache]
        if not todo:
            return
        values = table.families[fam].log_lr_many(
            [{missing[j]: case.victims[victims[i]] for i, j in p} for p in todo],
            table.victim_logp,
            table.dropout,
        )
        extra = table.lineage_log_lr
        for p, value in zip(todo, values, strict=True):
            # Lineage LRs multiply in (independent of the autosomal markers).
            if extra is not None:
                value += sum(float(extra[i, j]) for i, j in p)
            cache[(fam, p)] = value

    def family_log_lr(fam: str, pairs: frozenset[tuple[int, int]]) -> float:
        if len(pairs) == 1:
            ((i, j),) = pairs
            return float(table.log_lr[i, j])
        key = (fam, pairs)
        if key not in cache:
            if fam in complete:
                # Some smaller placement in this family is impossible, and a
                # likelihood can only shrink when victims are added.
                return -math.inf
            fill(fam, [pairs])
        return cache[key]

    def fill_levels(fam: str) -> None:
        """Score every possible placement of victims in ``fam``, level by level."""
        pairs = sorted(
            (i, j) for i in range(len(victims)) for j in cands[i] if fam_idx[j] == fam
        )
        level = {frozenset([p]) for p in pairs}
        while level:
            nxt: set[frozenset[tuple[int, int]]] = set()
            for sub in level:
                top = max(sub)
                vs = {i for i, _ in sub}
                ms = {j for _, j in sub}
                for p in pairs:
                    if p <= top or p[0] in vs or p[1] in ms:
                        continue
                    new = sub | {p}
                    if all(len(new) == 2 or (new - {q}) in level for q in sub):
                        nxt.add(new)
            ordered = sorted(nxt, key=sorted)
            fill(fam, ordered)
            level = {p for p in ordered if cache[(fam, p)] > -math.inf}
        complete.add(fam)

    loglik_null = sum(table.victim_loglik.values()) + sum(
        math.log(lik)
        for fm in table.families.values()
        for lik in fm.ref_likelihoods.values()
        if lik > 0
    )
    found: list[tuple[float, tuple[int | None, ...]]] = []
    n_total = _count(cands, max_enumerate)
    exact = n_total <= max_enumerate
    bound: float | None = None
    if exact:
        for fam in sorted(multi):
            fill_levels(fam)
        order = sorted(range(len(victims)), key=lambda i: len(cands[i]))
        current: dict[str, frozenset[tuple[int, int]]] = {}
        chosen: list[int | None] = [None] * len(victims)
        used: set[int] = set()

        def rec(pos: int, logv: float) -> None:
            if pos == len(order):
                found.append((logv, tuple(chosen)))
                return
            i = order[pos]
            chosen[i] = None
            rec(pos + 1, logv)
            for j in cands[i]:
                if j in used:
                    continue
                fam = fam_idx[j]
                old = current.get(fam, frozenset())
                new = old | {(i, j)}
                old_v = family_log_lr(fam, old) if old else 0.0
                new_v = family_log_lr(fam, new) if fam in multi else table.log_lr[i, j]
                if new_v == -math.inf:
                    continue
                used.add(j)
                current[fam] = new
                chosen[i] = j
                rec(pos + 1, logv - old_v + new_v)
                chosen[i] = None
                used.discard(j)
                if old:
                    current[fam] = old
                else:
                    del current[fam]

        rec(0, 0.0)
    else:
        n_m = len(missing)
        cost = np.full((len(victims), n_m + len(victims)), BIG)
        for i in range(len(victims)):
            for j in cands[i]:
                cost[i, j] = -table.log_lr[i, j]
            cost[i, n_m + i] = 0.0
        shift = cost[cost < BIG / 2].min() if np.any(cost < BIG / 2) else 0.0
        cost = np.where(cost < BIG / 2, cost - shift, BIG)
        solutions = []
        wanted: dict[str, list[frozenset[tuple[int, int]]]] = {}
        for _, sol in murty(cost, approx_k):
            chosen_t = tuple(j if j < n_m else None for j in sol)
            groups: dict[str, set[tuple[int, int]]] = {}
            for i, col in enumerate(chosen_t):
                if col is not None:
                    groups.setdefault(fam_idx[col], set()).add((i, col))
            solutions.append((chosen_t, groups))
            for f, p in groups.items():
                if len(p) > 1:
                    wanted.setdefault(f, []).append(frozenset(p))
        for f, subs in wanted.items():
            fill(f, subs)
        for chosen_t, groups in solutions:
            logv = sum(family_log_lr(f, frozenset(p)) for f, p in groups.items())
            if logv > -math.inf:
                found.append((logv, chosen_t))
        if not multi:
            # Without the one-to-one constraint the LR mass factorises per victim.
            upper = sum(
                math.log1p(sum(math.exp(table.log_lr[i, j]) for j in cands[i]))
                for i in range(len(victims))
            )
            kept = _logsumexp([v for v, _ in found])
            bound = math.exp(upper - kept) - 1.0 if upper - kept < 700 else math.inf
    found.sort(key=lambda t: -t[0])
    log_z = _logsumexp([v for v, _ in found])
    marginals: dict[str, dict[str | None, float]] = {v: {} for v in victims}
    assignments: list[Assignment] = []
    for rank, (logv, chosen_t) in enumerate(found):
        post = math.exp(logv - log_z)
        for i, col in enumerate(chosen_t):
            key = None if col is None else missing[col]
            marginals[victims[i]][key] = marginals[victims[i]].get(key, 0.0) + post
        if rank < max(top, 1):
            assignments.append(
                Assignment(
                    {
                        victims[i]: (None if j is None else missing[j])
                        for i, j in enumerate(chosen_t)
                    },
                    logv,
                    loglik_null + logv,
                    post,
                )
            )
    for v in victims:
        marginals[v] = dict(sorted(marginals[v].items(), key=lambda kv: -kv[1]))
    return JointResult(
        assignments, marginals, exact, len(found), loglik_null, bound, table
    )

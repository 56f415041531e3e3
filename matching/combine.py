"""Combine a prior over the open missing persons with independent evidence.

For one body: prior P(i) = (1 - p_unlisted) * w_i / sum(w) for each candidate i
and ``p_unlisted`` for "someone not on the list"; each candidate's evidence is a
set of likelihood ratios against that unlisted reference (journal, physical,
DNA), multiplied because they are assumed independent given identity; Bayes'
rule gives a posterior per candidate and for "none of these".

For a grave with several bodies the bodies compete for the candidates: one
person is at most one body. ``joint_posteriors`` enumerates the one-to-one
assignments exactly when there are few, or takes the k best by Murty's method
(Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``) and renormalises,
as in DNA joint identification; each body's marginal posterior follows.

The explanation keeps every piece of evidence with its LR, the prior, the
posterior and "what would change it most": the posterior if a further piece of
evidence (a DNA reference from a sibling, a PM observation now missing) gave its
expected LR. See ``docs/identification-model.md``.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching import physical
from matching.records import AMRecord, PMRecord
from matching.vocabulary import label


@dataclass(frozen=True)
class Evidence:
    """One independent piece of evidence for "the body is this candidate".

    ``lr`` is against the common reference "someone not on the list"; 0 is an
    exclusion.
    """

    kind: str
    lr: float
    explanation_en: str = ""
    explanation_uk: str = ""

    @property
    def log10_lr(self) -> float:
        return math.log10(self.lr) if self.lr > 0 else -math.inf


@dataclass(frozen=True)
class Potential:
    """Evidence not yet available, with the LR it would typically give if true.

    ``log10_lr`` is the expected log10 LR under "the body is this candidate"
    (for DNA: supplied by ``kinship`` for the reference donor).
    """

    action: str
    log10_lr: float
    text_en: str
    text_uk: str


@dataclass(frozen=True)
class Candidate:
    person_id: str
    evidence: tuple[Evidence, ...] = ()
    weight: float = 1.0
    potentials: tuple[Potential, ...] = ()

    @property
    def lr(self) -> float:
        return math.prod(e.lr for e in self.evidence)


@dataclass(frozen=True)
class Suggestion:
    action: str
    log10_lr: float
    posterior_if: float
    text_en: str
    text_uk: str


@dataclass(frozen=True)
class CandidatePosterior:
    person_id: str
    prior: float
    lr: float
    posterior: float
    evidence: tuple[Evidence, ...]
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def excluded(self) -> bool:
        return self.lr == 0.0

    def explanation(self, lang: str = "en") -> str:
        en = lang == "en"
        lines = [
            (
                f"{self.person_id}: prior {self.prior:.3g}"
                if en
                else f"{self.person_id}: апріорна ймовірність {self.prior:.3g}"
            )
        ]
        for e in self.evidence:
            text = e.explanation_en if en else e.explanation_uk
            lines.append(f"  {e.kind}: LR {e.lr:.3g} — {text}")
        lines.append(
            f"  combined LR {self.lr:.3g}, posterior {self.posterior:.3g}"
            if en
            else f"  сукупне LR {self.lr:.3g}, апостеріорна ймовірність "
            f"{self.posterior:.3g}"
        )
        for s in self.suggestions:
            lines.append(
                f"  would change most: {s.text_en} (typical LR 10^{s.log10_lr:.1f} → "
                f"posterior {s.posterior_if:.3g})"
                if en
                else f"  найбільше змінило б: {s.text_uk} (типове LR "
                f"10^{s.log10_lr:.1f} → апостеріорна ймовірність {s.posterior_if:.3g})"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class BodyPosterior:
    body_id: str
    candidates: tuple[CandidatePosterior, ...]
    prior_unlisted: float
    posterior_unlisted: float
    method: str = "single"

    def posterior(self, person_id: str | None) -> float:
        if person_id is None:
            return self.posterior_unlisted
        for c in self.candidates:
            if c.person_id == person_id:
                return c.posterior
        raise KeyError(person_id)

    @property
    def top(self) -> CandidatePosterior | None:
        return self.candidates[0] if self.candidates else None

    def explanation(self, lang: str = "en") -> str:
        head = (
            f"body {self.body_id}: not on the list prior {self.prior_unlisted:.3g}, "
            f"posterior {self.posterior_unlisted:.3g} ({self.method})"
            if lang == "en"
            else f"тіло {self.body_id}: особа поза списком — апріорна "
            f"{self.prior_unlisted:.3g}, апостеріорна {self.posterior_unlisted:.3g}"
        )
        return "\n".join([head, *(c.explanation(lang) for c in self.candidates)])


def _check_p(p_unlisted: float) -> None:
    if not 0.0 <= p_unlisted < 1.0:
        raise ValueError("p_unlisted must be in [0, 1)")


def priors(candidates: Sequence[Candidate], p_unlisted: float) -> dict[str, float]:
    """Prior per candidate: the listed mass 1 - p_unlisted shared by weight."""
    _check_p(p_unlisted)
    total = sum(c.weight for c in candidates)
    if total <= 0:
        raise ValueError("candidate weights must sum to a positive number")
    return {c.person_id: (1.0 - p_unlisted) * c.weight / total for c in candidates}


def _suggestions(
    cand: Candidate, prior: float, lr: float, z_others: float, limit: int
) -> tuple[Suggestion, ...]:
    out = []
    for p in cand.potentials:
        new = prior * lr * 10**p.log10_lr
        post_if = new / (new + z_others) if new + z_others > 0 else 0.0
        out.append(Suggestion(p.action, p.log10_lr, post_if, p.text_en, p.text_uk))
    base = prior * lr / (prior * lr + z_others) if prior * lr + z_others > 0 else 0.0
    out.sort(key=lambda s: -abs(s.posterior_if - base))
    return tuple(out[:limit])


def identify_body(
    body_id: str,
    candidates: Sequence[Candidate],
    p_unlisted: float = 0.1,
    max_suggestions: int = 3,
) -> BodyPosterior:
    """Posterior over the candidates and "none of these" for one body."""
    pri = priors(candidates, p_unlisted)
    terms = {c.person_id: pri[c.person_id] * c.lr for c in candidates}
    z = p_unlisted + sum(terms.values())
    if z <= 0:
        raise ValueError("every candidate is excluded and p_unlisted is 0")
    out = []
    for c in candidates:
        others = z - terms[c.person_id]
        out.append(
            CandidatePosterior(
                c.person_id,
                pri[c.person_id],
                c.lr,
                terms[c.person_id] / z,
                c.evidence,
                _suggestions(c, pri[c.person_id], c.lr, others, max_suggestions),
            )
        )
    out.sort(key=lambda cp: -cp.posterior)
    return BodyPosterior(body_id, tuple(out), p_unlisted, p_unlisted / z)


# --- Evidence builders ----------------------------------------------------------


def physical_evidence(comparison: physical.PhysicalComparison) -> Evidence:
    parts = [r for r in comparison.results if r.outcome != physical.NO_DATA]
    en = "; ".join(f"{r.trait} {r.lr:.3g}" for r in parts) or "no physical data"
    uk = (
        "; ".join(f"{physical.label_uk_trait(r.trait)} {r.lr:.3g}" for r in parts)
        or "немає фізичних даних"
    )
    if comparison.excluded:
        en = "EXCLUDED: " + "; ".join(r.explanation_en for r in comparison.exclusions)
        uk = "ВИКЛЮЧЕНО: " + "; ".join(r.explanation_uk for r in comparison.exclusions)
    return Evidence("physical", comparison.lr, en, uk)


def physical_potentials(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel = physical.DEFAULT_MODEL
) -> tuple[Potential, ...]:
    """For each trait with no PM data: the LR a consistent observation would give."""
    out = []
    for trait in physical.COMPARATORS:
        lr = physical.potential_lr(am, pm, trait, model)
        if lr is not None and lr > 0:
            out.append(
                Potential(
                    f"physical:{trait}",
                    math.log10(lr),
                    f"record {trait.replace('_', ' ')} on the body",
                    f"описати на тілі: {physical.label_uk_trait(trait)}",
                )
            )
    return tuple(out)


def dna_potentials(
    person_id: str,
    expected: Mapping[str, float] | Callable[[str], Mapping[str, float]],
) -> tuple[Potential, ...]:
    """Potentials from the DNA side: relation code -> expected log10 LR if true."""
    table = expected(person_id) if callable(expected) else expected
    out = []
    for rel, log10 in table.items():
        out.append(
            Potential(
                f"dna:{rel}",
                log10,
                f"type a reference sample from a {label('donor_relationship', rel)}",
                f"отримати зразок ДНК родича: {label('donor_relationship', rel, 'uk')}",
            )
        )
    return tuple(out)


# --- Joint identification across a grave ------------------------------------------


@dataclass(frozen=True)
class JointResult:
    bodies: tuple[str, ...]
    candidates: tuple[str, ...]
    marginals: Mapping[str, Mapping[str | None, float]]
    best: Mapping[str, str | None]
    best_share: float
    method: str
    n_assignments: int


def _log_esym(weights: Sequence[float], kmax: int) -> list[float]:
    """log of k! * e_k(weights) for k = 0..kmax (e_k: elementary symmetric sums)."""
    scale = sum(weights) / len(weights) if weights else 1.0
    e = [1.0] + [0.0] * kmax
    for w in weights:
        w = w / scale
        for k in range(kmax, 0, -1):
            e[k] += e[k - 1] * w
    return [
        (math.log(e[k]) + k * math.log(scale) + math.lgamma(k + 1))
        if e[k] > 0
        else -math.inf
        for k in range(kmax + 1)
    ]


def _prior_terms(weights: Sequence[float], m: int, p_unlisted: float) -> list[float]:
    """log prior of one assignment with k bodies on the list, without the w_c terms.

    P(assignment) = p_u^(m-k) (1-p_u)^k * prod(w_c) / (k! e_k(w)): each body is
    independently unlisted with p_u, and the listed bodies are a weighted random
    one-to-one draw from the candidates.
    """
    kmax = min(m, len(weights))
    le = _log_esym(weights, kmax)
    lu = math.log(p_unlisted) if p_unlisted > 0 else -math.inf
    ll = math.log1p(-p_unlisted)
    return [(m - k) * lu + k * ll - le[k] for k in range(kmax + 1)]


def _count_assignments(m: int, n: int) -> int:
    return sum(math.comb(m, k) * math.perm(n, k) for k in range(min(m, n) + 1))


def joint_posteriors(
    bodies: Sequence[str],
    candidates: Sequence[str],
    lr: np.ndarray | Mapping[tuple[str, str], float],
    p_unlisted: float = 0.1,
    weights: Sequence[float] | None = None,
    max_exact: int = 200_000,
    k_best: int = 5000,
    rel_tol: float = 1e-12,
) -> JointResult:
    """Marginal posteriors of a one-to-one assignment of bodies to candidates.

    ``lr[b, c]`` is the combined LR of body b being candidate c (against the
    unlisted reference; 0 excludes; a missing pair in a mapping counts 1). Each
    body may also be "not on the list" (key None in the marginals).
    """
    _check_p(p_unlisted)
    m, n = len(bodies), len(candidates)
    if isinstance(lr, Mapping):
        mat = np.ones((m, n))
        for (b, c), v in lr.items():
            mat[bodies.index(b), candidates.index(c)] = v
    else:
        mat = np.asarray(lr, dtype=float)
    if mat.shape != (m, n):
        raise ValueError(f"lr matrix must be {m}x{n}")
    w = list(weights) if weights is not None else [1.0] * n
    logw = [math.log(x) if x > 0 else -math.inf for x in w]
    with np.errstate(divide="ignore"):
        loglr = np.log(mat)
    kterm = _prior_terms(w, m, p_unlisted)

    def log_weight(assign: Sequence[int]) -> float:
        k = sum(1 for c in assign if c >= 0)
        s = kterm[k]
        for b, c in enumerate(assign):
            if c >= 0:
                s += loglr[b, c] + logw[c]
        return s

    if _count_assignments(m, n) <= max_exact:
        assigns = list(_enumerate(m, n, mat))
        method = "exact"
    else:
        assigns = _murty(loglr, logw, p_unlisted, k_best, rel_tol)
        method = f"murty(k={len(assigns)})"
    logs = np.array([log_weight(a) for a in assigns])
    if not len(logs) or not np.isfinite(logs.max()):
        raise ValueError("no assignment has positive probability")
    probs = np.exp(logs - logs.max())
    probs /= probs.sum()
    marg: dict[str, dict[str | None, float]] = {
        b: {None: 0.0, **dict.fromkeys(candidates, 0.0)} for b in bodies
    }
    for a, p in zip(assigns, probs, strict=True):
        for bi, ci in enumerate(a):
            marg[bodies[bi]][candidates[ci] if ci >= 0 else None] += float(p)
    top = int(np.argmax(probs))
    best = {
        bodies[bi]: (candidates[ci] if ci >= 0 else None)
        for bi, ci in enumerate(assigns[top])
    }
    return JointResult(
        tuple(bodies),
        tuple(candidates),
        marg,
        best,
        float(probs[top]),
        method,
        len(assigns),
    )


def _enumerate(m: int, n: int, mat: np.ndarray) -> list[tuple[int, ...]]:
    """Every partial one-to-one assignment with positive LR (-1 = unlisted)."""
    out: list[tuple[int, ...]] = []
    cur: list[int] = []
    taken: set[int] = set()

    def rec(b: int) -> None:
        if b == m:
            out.append(tuple(cur))
            return
        cur.append(-1)
        rec(b + 1)
        cur.pop()
        for c in range(n):
            if c not in taken and mat[b, c] > 0:
                taken.add(c)
                cur.append(c)
                rec(b + 1)
                cur.pop()
                taken.discard(c)

    rec(0)
    return out


_BIG = 1e15


def _murty(
    loglr: np.ndarray,
    logw: Sequence[float],
    p_unlisted: float,
    k: int,
    rel_tol: float,
) -> list[tuple[int, ...]]:
    """The k best assignments under an additive approximation of the prior.

    Columns: the n candidates, then one private "unlisted" column per body. The
    cost of body b -> c is -log((1 - p_u) w_c / W * LR); the exact prior is
    applied afterwards when the assignments are weighted.
    """
    m, n = loglr.shape
    lw = np.array(logw) - math.log(sum(math.exp(x) for x in logw if x > -math.inf))
    cost = np.full((m, n + m), _BIG)
    with np.errstate(invalid="ignore"):
        block = -(loglr + lw[None, :] + math.log1p(-p_unlisted))
    cost[:, :n] = np.where(np.isfinite(block), block, _BIG)
    lu = -math.log(p_unlisted) if p_unlisted > 0 else _BIG
    for b in range(m):
        cost[b, n + b] = lu

    def solve(c: np.ndarray) -> tuple[float, tuple[int, ...]] | None:
        rows, cols = linear_sum_assignment(c)
        vals = c[rows, cols]
        if (vals >= _BIG).any():
            return None
        return float(vals.sum()), tuple(int(x) for x in cols)

    first = solve(cost)
    if first is None:
        return []
    tie = itertools.count()
    heap: list[
        tuple[
            float,
            int,
            tuple[int, ...],
            frozenset[tuple[int, int]],
            frozenset[tuple[int, int]],
        ]
    ] = [(first[0], next(tie), first[1], frozenset(), frozenset())]
    out: list[tuple[int, ...]] = []
    best = first[0]
    while heap and len(out) < k:
        tot, _, sol, forced, forbidden = heapq.heappop(heap)
        if tot - best > -math.log(rel_tol):
            break
        out.append(tuple(c if c < n else -1 for c in sol))
        forced_now = set(forced)
        forced_rows = {r for r, _ in forced}
        for r in range(m):
            if r in forced_rows:
                continue
            banned = forbidden | {(r, sol[r])}
            c = cost.copy()
            for fr, fc in banned:
                c[fr, fc] = _BIG
            for fr, fc in forced_now:
                keep = cost[fr, fc]
                c[fr, :] = _BIG
                c[:, fc] = _BIG
                c[fr, fc] = keep
            res = solve(c)
            if res is not None:
                heapq.heappush(
                    heap, (res[0], next(tie), res[1], frozenset(forced_now), banned)
                )
            forced_now.add((r, sol[r]))
    return out


def identify_grave(
    bodies: Mapping[str, Sequence[Candidate]],
    p_unlisted: float = 0.1,
    max_exact: int = 200_000,
    k_best: int = 5000,
    max_suggestions: int = 3,
) -> dict[str, BodyPosterior]:
    """Per-body posteriors for a grave where bodies compete for the candidates.

    ``bodies`` maps each body to its candidates with evidence; a candidate absent
    from a body's list counts LR 1 for it. Candidate weights come from the first
    body that lists the candidate.
    """
    body_ids = list(bodies)
    cands: dict[str, Candidate] = {}
    for cs in bodies.values():
        for c in cs:
            cands.setdefault(c.person_id, c)
    cand_ids = list(cands)
    mat = np.ones((len(body_ids), len(cand_ids)))
    by_body: dict[str, dict[str, Candidate]] = {}
    for bi, b in enumerate(body_ids):
        by_body[b] = {c.person_id: c for c in bodies[b]}
        for c in bodies[b]:
            mat[bi, cand_ids.index(c.person_id)] = c.lr
    res = joint_posteriors(
        body_ids,
        cand_ids,
        mat,
        p_unlisted,
        [cands[c].weight for c in cand_ids],
        max_exact,
        k_best,
    )
    pri = priors(list(cands.values()), p_unlisted)
    # Suggestions use the single-body odds: joint effects are second order.
    # Per body and candidate, the other candidates' terms summed one after
    # the other in candidate order, as a loop over the others adds them: the
    # terms before the candidate (``add.accumulate`` is sequential), then each
    # later term added in turn, for every candidate at once.
    n_c = len(cand_ids)
    terms = np.array([pri[c] for c in cand_ids]) * mat
    rest = np.zeros(terms.shape)
    if n_c > 1:
        rest[:, 1:] = np.add.accumulate(terms, axis=1)[:, :-1]
        for k in range(1, n_c):
            rest[:, :k] += terms[:, k : k + 1]
    out: dict[str, BodyPosterior] = {}
    for bi, b in enumerate(body_ids):
        rows = []
        for ci, cid in enumerate(cand_ids):
            c = by_body[b].get(cid, Candidate(cid, weight=cands[cid].weight))
            post = res.marginals[b][cid]
            others = p_unlisted + float(rest[bi, ci])
            rows.append(
                CandidatePosterior(
                    cid,
                    pri[cid],
                    float(mat[bi, ci]),
                    post,
                    c.evidence,
                    _suggestions(
                        c, pri[cid], float(mat[bi, ci]), others, max_suggestions
                    ),
                )
            )
        rows.sort(key=lambda cp: -cp.posterior)
        out[b] = BodyPosterior(
            b, tuple(rows), p_unlisted, res.marginals[b][None], res.method
        )
    return out

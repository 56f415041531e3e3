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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kinship.case import Case, Family, Pedigree, Profile
from kinship.likelihood import genotype_posteriors, hardy_weinberg
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
    """Return ``P(obs a/b)`` for all ``(a, b)`` from ordered tables ``(B, n, n)``."""
    d = float(dropout)
    sym = post + np.swapaxes(post, 1, 2)
    diag = np.einsum("bii->bi", post)
    out = sym * (1.0 - d) ** 2
    n = post.shape[1]
    idx = np.arange(n)
    hetero = post.sum(axis=2) + post.sum(axis=1) - 2.0 * diag
    out[:, idx, idx] = diag * (1.0 - d * d) + hetero * d * (1.0 - d)
    return out.reshape(len(post), n * n)


def _structure_key(family: Family, missing: str) -> tuple[object, ...]:
    ped = family.pedigree
    typed = tuple(sorted(ped.index(i) for i in family.genotypes))
    return (ped.father, ped.mother, ped.index(missing), typed)


def _targets_tables(
    targets: Sequence[tuple[Family, str]],
    markers: Sequence[Marker],
    dropout: float,
    theta: float,
) -> np.ndarray:
    """Return the ``(len(targets), width)`` log LR table (last column 0)."""
    widths = [m.n_alleles**2 for m in markers]
    offsets = np.concatenate([[0], np.cumsum(widths)])
    table = np.zeros((len(targets), int(offsets[-1]) + 1))
    groups: dict[tuple[object, ...], list[int]] = {}
    for t, (fam, missing) in enumerate(targets):
        groups.setdefault(_structure_key(fam, missing), []).append(t)
    for members in groups.values():
        rep, rep_missing = targets[members[0]]
        ped: Pedigree = rep.pedigree
        for m, marker in enumerate(markers):
            pop = _obs_table(hardy_weinberg(marker.freqs, theta)[None], dropout)[0]
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
            res = genotype_posteriors(ped, genos, [marker] * len(members), rep_missing)
            post = np.stack([p for p, _ in res])
            ok = np.array([lik > 0 for _, lik in res])
            with np.errstate(divide="ignore"):
                logt = np.log(_obs_table(post, dropout)) - np.log(pop)[None, :]
            logt[~np.isfinite(logt)] = EXCLUDED
            logt[~ok] = 0.0
            table[np.array(members), offsets[m] : offsets[m + 1]] = logt
    return table


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

    Returns the pairs with LR >= ``threshold`` and each victim's ``top_k``
    targets with the number of inconsistent loci (LR 0 at that locus).
    """
    mlist = list(markers.values())
    names = list(victims)
    widths = [m.n_alleles**2 for m in mlist]
    offsets = np.concatenate([[0], np.cumsum(widths)])
    missing_col = int(offsets[-1])
    vidx = np.full((len(names), len(mlist)), missing_col, dtype=np.int64)
    for v, name in enumerate(names):
        prof = victims[name]
        for m, marker in enumerate(mlist):
            g = prof.get(marker.name)
            if g is not None and marker.has(g[0]) and marker.has(g[1]):
                a, b = marker.index(g[0]), marker.index(g[1])
                vidx[v, m] = offsets[m] + a * marker.n_alleles + b
    result = ScreeningResult(threshold)
    k = max(1, top_k)
    best = np.full((len(names), k), -np.inf)
    best_t = np.full((len(names), k), -1, dtype=np.int64)
    log_thr = math.log(threshold)
    for start in range(0, len(targets), block):
        chunk = targets[start : start + block]
        table = _targets_tables(chunk, mlist, dropout, theta)
        acc = np.zeros((len(chunk), len(names)))
        for m in range(len(mlist)):
            acc += table[:, vidx[:, m]]
        result.n_pairs += acc.size
        # Scores decode as EXCLUDED * inconsistent + log LR.
        hits = np.nonzero(acc >= log_thr)
        for t, v in zip(hits[0].tolist(), hits[1].tolist(), strict=True):
            fam, miss = chunk[t]
            result.candidates.append(
                Candidate(names[v], fam.name, miss, float(acc[t, v]) / math.log(10), 0)
            )
        merged = np.concatenate([best, acc.T], axis=1)
        merged_t = np.concatenate(
            [
                best_t,
                np.broadcast_to(np.arange(start, start + len(chunk)), acc.T.shape),
            ],
            axis=1,
        )
        if merged.shape[1] > k:
            part = np.argpartition(-merged, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(merged.shape[1]), merged.shape)
        best = np.take_along_axis(merged, part, axis=1)
        best_t = np.take_along_axis(merged_t, part, axis=1)
    for v, name in enumerate(names):
        order = np.argsort(-best[v])
        row = []
        for j in order:
            t = int(best_t[v, j])
            if t < 0:
                continue
            score = float(best[v, j])
            bad = int(round(-score / -EXCLUDED)) if score < EXCLUDED / 2 else 0
            fam, miss = targets[t]
            row.append(
                Candidate(
                    name, fam.name, miss, (score - EXCLUDED * bad) / math.log(10), bad
                )
            )
        result.top[name] = row
    return result


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

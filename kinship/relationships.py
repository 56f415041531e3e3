"""Checks of declared relationships between typed references of one family.

For every pair of typed references, the likelihood of their autosomal
genotypes under the family's declared pedigree (everyone else untyped) is
compared with standard alternatives: parent-child, full siblings, half
siblings (the same likelihood as grandparent-grandchild and uncle-nephew:
autosomal markers cannot tell these apart), first cousins and unrelated.  A
pair is flagged when an alternative is ``factor`` (1,000) times more likely
than the declaration, or when the declaration is impossible at some marker
under the mutation model.  Labs run such checks before searching (forrel's
``checkPairwise`` does the same idea; this is independent code).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from kinship.case import Family, Pedigree
from kinship.genemapper import Genotype
from kinship.likelihood import marker_likelihoods
from kinship.markers import Marker

#: An alternative is flagged when it is this many times more likely.
FLAG_FACTOR = 1000.0


def _ped(rows: list[tuple[str, str | None, str | None, int]]) -> Pedigree:
    return Pedigree.from_lists(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )


def parent_child() -> Pedigree:
    """A is B's parent."""
    return _ped([("A", None, None, 1), ("W", None, None, 2), ("B", "A", "W", 0)])


def full_siblings() -> Pedigree:
    """A and B share both parents."""
    return _ped(
        [
            ("F", None, None, 1),
            ("M", None, None, 2),
            ("A", "F", "M", 0),
            ("B", "F", "M", 0),
        ]
    )


def half_siblings() -> Pedigree:
    """A and B share one parent (same likelihood: grandparent, uncle)."""
    return _ped(
        [
            ("F", None, None, 1),
            ("M1", None, None, 2),
            ("M2", None, None, 2),
            ("A", "F", "M1", 0),
            ("B", "F", "M2", 0),
        ]
    )


def first_cousins() -> Pedigree:
    """A and B are children of two full siblings."""
    return _ped(
        [
            ("GF", None, None, 1),
            ("GM", None, None, 2),
            ("P", "GF", "GM", 1),
            ("Q", "GF", "GM", 2),
            ("SP", None, None, 2),
            ("SQ", None, None, 1),
            ("A", "P", "SP", 0),
            ("B", "SQ", "Q", 0),
        ]
    )


def unrelated() -> Pedigree:
    """A and B are not related."""
    return _ped([("A", None, None, 0), ("B", None, None, 0)])


#: Alternatives by name (a plain registry: add a function to add one).
ALTERNATIVES: dict[str, Callable[[], Pedigree]] = {
    "parent-child": parent_child,
    "full siblings": full_siblings,
    "half siblings": half_siblings,
    "first cousins": first_cousins,
    "unrelated": unrelated,
}


@dataclass
class PairCheck:
    """One pair of references: log10 likelihoods, declared and alternatives."""

    a: str
    b: str
    markers: int
    declared_loglik: float
    logliks: dict[str, float] = field(default_factory=dict)
    factor: float = FLAG_FACTOR

    @property
    def alternatives(self) -> dict[str, float]:
        """log10 LR of each alternative against the declaration."""
        out = {}
        for name, value in self.logliks.items():
            if value == -math.inf:
                out[name] = -math.inf
            elif self.declared_loglik == -math.inf:
                out[name] = math.inf
            else:
                out[name] = value - self.declared_loglik
        return out

    @property
    def best(self) -> str:
        """The most likely alternative."""
        return max(self.logliks, key=lambda k: self.logliks[k])

    @property
    def flagged(self) -> bool:
        """True if an alternative is ``factor`` times more likely, or the
        declaration is impossible."""
        if self.declared_loglik == -math.inf:
            return True
        return self.logliks[self.best] - self.declared_loglik >= math.log10(self.factor)


def _loglik(
    pedigree: Pedigree,
    genos: Mapping[str, Mapping[str, Genotype]],
    markers: list[Marker],
) -> float:
    liks = marker_likelihoods(
        pedigree,
        [{i: g[m.name] for i, g in genos.items()} for m in markers],
        markers,
    )
    if np.any(liks <= 0.0):
        return -math.inf
    return float(np.log10(liks).sum())


def check_family(
    family: Family,
    markers: Mapping[str, Marker],
    *,
    factor: float = FLAG_FACTOR,
) -> list[PairCheck]:
    """Check every pair of typed references of ``family`` (autosomal markers)."""
    out: list[PairCheck] = []
    typed = sorted(family.genotypes, key=family.pedigree.index)
    for a, b in itertools.combinations(typed, 2):
        ga, gb = family.genotypes[a], family.genotypes[b]
        used = [m for k, m in markers.items() if k in ga and k in gb]
        if not used:
            continue
        declared = _loglik(family.pedigree, {a: ga, b: gb}, used)
        check = PairCheck(a, b, len(used), declared, factor=factor)
        for name, build in ALTERNATIVES.items():
            check.logliks[name] = _loglik(build(), {"A": ga, "B": gb}, used)
        out.append(check)
    return out

"""The burial-journal lead as a likelihood ratio.

A reconciled journal cluster (``linkage``) says "name X was buried in grave G".
How much that is worth depends on how reliable the journals are, which is
estimated from the reconciliation itself (how often journals disagree about a
grave number or a name) and, once there are any, from confirmed identifications.

Model for one record r = (journal j, name n, grave G), for a body in G:

* P(r | body is n) = a_j = (1 - p_wrong_grave)(1 - p_wrong_name): the entry is
  right.
* P(r | body is someone else) = c_j = p_wrong_grave / n_slip_targets
  + p_wrong_name / n_candidate_names: n's entry slipped onto this grave number
  (a slip lands on one of ``n_slip_targets`` nearby numbers), or the body in G
  was written down under n's name (one of ``n_candidate_names`` names).

A second journal copies the first with probability ``dependence``; a copied
record repeats the first record's name and adds nothing. For a single-occupant
grave, all names on it compete; for a grave with several bodies, each named
person is a lead for every body in it and the one-to-one assignment in
``matching.combine`` shares them out. See ``docs/identification-model.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReconciliationStats:
    """Counts from reconciliation and from confirmed identifications.

    ``multi_journal_clusters``: persons found in two journals;
    ``grave_conflicts``: of those, how many give different grave numbers.
    ``shared_graves``: individual graves named in two journals;
    ``name_conflicts``: of those, how many give different names.
    ``confirmed``: DNA- or dental-confirmed identifications of bodies that had a
    journal lead; ``confirmed_wrong_grave`` / ``confirmed_wrong_name``: of those,
    how many leads were wrong for each reason.
    """

    multi_journal_clusters: int = 0
    grave_conflicts: int = 0
    shared_graves: int = 0
    name_conflicts: int = 0
    confirmed: int = 0
    confirmed_wrong_grave: int = 0
    confirmed_wrong_name: int = 0


@dataclass(frozen=True)
class ReliabilityPrior:
    """Beta priors used when there is no data, and for shrinkage when data are few.

    Defaults: a grave-number slip in 1 entry of 20, a wrong name in 1 of 33; each
    worth ``strength`` pseudo-entries. Design values, to be replaced by the
    estimates as soon as reconciliation statistics exist.
    """

    p_wrong_grave: float = 0.05
    p_wrong_name: float = 0.03
    strength: float = 20.0
    n_slip_targets: float = 4.0


@dataclass(frozen=True)
class Reliability:
    p_wrong_grave: float
    p_wrong_name: float
    n_slip_targets: float = 4.0
    basis: Mapping[str, str] = field(default_factory=dict)

    @property
    def p_correct(self) -> float:
        return (1.0 - self.p_wrong_grave) * (1.0 - self.p_wrong_name)

    def p_points_at(self, n_candidate_names: int) -> float:
        """P(a record names one specific person at a grave that is not theirs)."""
        return self.p_wrong_grave / self.n_slip_targets + self.p_wrong_name / max(
            1, n_candidate_names
        )


def _one_journal_rate(share: float) -> float:
    """Per-journal error rate p from the share of pairs that disagree.

    Two independent journals with error rate p disagree with probability
    1 - (1 - p)^2 (ignoring the rare case of both making the same error).
    """
    share = min(max(share, 0.0), 0.999)
    return 1.0 - math.sqrt(1.0 - share)


def _estimate(
    prior_p: float,
    strength: float,
    pairs: int,
    conflicts: int,
    confirmed: int,
    confirmed_wrong: int,
) -> tuple[float, str]:
    # Conflicts are turned into per-journal pseudo-counts (each pair gives two
    # entries), confirmed leads count directly; the prior adds ``strength`` entries.
    a = prior_p * strength
    b = (1.0 - prior_p) * strength
    parts = []
    if pairs > 0:
        p_pairs = _one_journal_rate(conflicts / pairs)
        a += p_pairs * 2 * pairs
        b += (1.0 - p_pairs) * 2 * pairs
        parts.append(f"{conflicts} conflicts in {pairs} pairs")
    if confirmed > 0:
        a += confirmed_wrong
        b += confirmed - confirmed_wrong
        parts.append(f"{confirmed_wrong} wrong of {confirmed} confirmed")
    basis = "; ".join(parts) if parts else "default (no data)"
    return a / (a + b), basis


def estimate_journal_reliability(
    stats: ReconciliationStats, prior: ReliabilityPrior | None = None
) -> Reliability:
    """Posterior-mean error rates from reconciliation statistics (Beta-binomial)."""
    prior = prior or ReliabilityPrior()
    pg, bg = _estimate(
        prior.p_wrong_grave,
        prior.strength,
        stats.multi_journal_clusters,
        stats.grave_conflicts,
        stats.confirmed,
        stats.confirmed_wrong_grave,
    )
    pn, bn = _estimate(
        prior.p_wrong_name,
        prior.strength,
        stats.shared_graves,
        stats.name_conflicts,
        stats.confirmed,
        stats.confirmed_wrong_name,
    )
    return Reliability(
        pg, pn, prior.n_slip_targets, {"p_wrong_grave": bg, "p_wrong_name": bn}
    )


@dataclass(frozen=True)
class JournalRecord:
    """One reconciled journal entry: ``person`` is the candidate id it resolves to."""

    journal: str
    person: str
    grave: str


@dataclass(frozen=True)
class JournalEvidence:
    """The journal evidence for "the body in ``grave`` is ``person``".

    ``lr`` compares with a random other open candidate (the figure to show);
    ``lr_vs_unlisted`` compares with someone on no list, the common reference
    every candidate shares, and is the one ``matching.combine`` multiplies in.
    """

    person: str
    grave: str
    lr: float
    lr_vs_unlisted: float
    supporting: tuple[str, ...]
    conflicting: tuple[str, ...]
    explanation_en: str
    explanation_uk: str


def _rel(
    reliability: Reliability | Mapping[str, Reliability], journal: str
) -> Reliability:
    if isinstance(reliability, Reliability):
        return reliability
    return reliability[journal]


def _likelihood(
    occupant: str | None,
    records: Sequence[JournalRecord],
    reliability: Reliability | Mapping[str, Reliability],
    n_candidate_names: int,
    dependence: float,
) -> float:
    """P(all records on the grave | its occupant); None = someone not named."""
    out = 1.0
    first: JournalRecord | None = None
    for r in records:
        rel = _rel(reliability, r.journal)
        p = (
            rel.p_correct
            if r.person == occupant
            else rel.p_points_at(n_candidate_names)
        )
        if first is None or r.journal == first.journal:
            out *= p
            first = first or r
        else:
            copied = 1.0 if r.person == first.person else 0.0
            out *= dependence * copied + (1.0 - dependence) * p
    return out


def journal_lrs(
    records: Sequence[JournalRecord],
    reliability: Reliability | Mapping[str, Reliability],
    n_open_candidates: int,
    bodies_in_grave: int = 1,
    dependence: float = 0.25,
    persons: Sequence[str] = (),
) -> dict[str, JournalEvidence]:
    """Journal LRs for the persons named on one grave (and any extra ``persons``).

    ``n_open_candidates``: missing persons plausibly buried at the site (the
    reference set, and the number of names a wrong name can be). ``dependence``:
    probability that a second journal copied the first (design value 0.25 when
    unknown; 0 for journals known to be independent). With ``bodies_in_grave`` >
    1 the names on the grave do not compete: each is a lead for every body.
    """
    if not records:
        return {}
    graves = {r.grave for r in records}
    if len(graves) != 1:
        raise ValueError("journal_lrs takes the records of one grave")
    grave = graves.pop()
    recs = list({(r.journal, r.person): r for r in records}.values())
    names = list(dict.fromkeys(r.person for r in recs))
    n = max(n_open_candidates, len(names) + 1)

    def lik(occupant: str | None, use: Sequence[JournalRecord]) -> float:
        return _likelihood(occupant, use, reliability, n, dependence)

    out: dict[str, JournalEvidence] = {}
    for x in list(dict.fromkeys([*names, *persons])):
        mine = [r for r in recs if r.person == x]
        if bodies_in_grave > 1:
            # Other names are other occupants, not rival claims.
            lr = lr_unlisted = lik(x, mine) / lik(None, mine) if mine else 1.0
            con: tuple[str, ...] = ()
        else:
            rivals = [y for y in names if y != x]
            l_none = lik(None, recs)
            l_others = sum(lik(y, recs) for y in rivals)
            l_others += (n - 1 - len(rivals)) * l_none
            lr = lik(x, recs) / (l_others / (n - 1))
            lr_unlisted = lik(x, recs) / l_none
            con = tuple(f"{r.journal}:{r.person}" for r in recs if r.person != x)
        sup = tuple(r.journal for r in mine)
        if sup:
            en = f"grave {grave}: named in {', '.join(sup)}"
            uk = f"могила {grave}: ім'я є в журналах: {', '.join(sup)}"
        else:
            en = f"grave {grave}: no journal names this person"
            uk = f"могила {grave}: жоден журнал не називає цю особу"
        if con:
            en += (
                f"; other names on the same grave: {', '.join(con)} (support is split)"
            )
            uk += f"; інші імена на тій самій могилі: {', '.join(con)} (підтримка ділиться)"
        en += f"; journal LR {lr:.3g}"
        uk += f"; LR журналу {lr:.3g}"
        out[x] = JournalEvidence(x, grave, lr, lr_unlisted, sup, con, en, uk)
    return out


def journal_lr(
    person: str,
    records: Sequence[JournalRecord],
    reliability: Reliability | Mapping[str, Reliability],
    n_open_candidates: int,
    bodies_in_grave: int = 1,
    dependence: float = 0.25,
) -> JournalEvidence:
    """The journal evidence on one grave for one person, named there or not."""
    if not records:
        return JournalEvidence(
            person, "", 1.0, 1.0, (), (), "no journal entry", "немає запису в журналі"
        )
    return journal_lrs(
        records, reliability, n_open_candidates, bodies_in_grave, dependence, (person,)
    )[person]


def unlisted_lr(
    records: Sequence[JournalRecord],
    reliability: Reliability | Mapping[str, Reliability],
    n_open_candidates: int,
    unlisted_names: Sequence[str],
    n_unlisted: float,
    bodies_in_grave: int = 1,
    dependence: float = 0.25,
) -> float:
    """LR of "none of these" against the reference ``journal_lrs`` uses.

    ``journal_lrs`` compares each candidate with "the occupant is someone no
    record names". When the journals name, on this grave, people who match no
    open report (``unlisted_names``: the record persons standing for them), the
    "none of these" hypothesis includes "the occupant is that named person",
    and the records support it exactly as they support a listed person named
    there. With the occupant, if unlisted, one of ``n_unlisted`` unlisted dead
    (each equally likely, pi = 1 / n_unlisted):

        P(records | unlisted) = sum_u pi L(u) + (1 - k pi) L(nobody named)

    and the LR returned is that over L(nobody named). Every listed candidate's
    ``lr_vs_unlisted`` is divided by it (equivalently "none of these" is
    multiplied by it). For a grave with several bodies each unlisted name is a
    lead for every body, as in ``journal_lrs``. 1 when no name is unlisted.
    """
    names = [
        u for u in dict.fromkeys(unlisted_names) if any(r.person == u for r in records)
    ]
    if not names:
        return 1.0
    recs = list({(r.journal, r.person): r for r in records}.values())
    everyone = list(dict.fromkeys(r.person for r in recs))
    n = max(n_open_candidates, len(everyone) + 1)
    pi = 1.0 / max(float(n_unlisted), float(len(names)), 1.0)
    total = 1.0
    for u in names:
        use = recs if bodies_in_grave <= 1 else [r for r in recs if r.person == u]
        l_u = _likelihood(u, use, reliability, n, dependence)
        l_none = _likelihood(None, use, reliability, n, dependence)
        total += pi * (l_u / l_none - 1.0)
    return max(total, 1.0)

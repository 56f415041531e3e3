"""Reconciling burial journals with Splink (Fellegi-Sunter record linkage).

``reconcile(rows)`` links rows across journals *and* finds duplicates within
each journal (Splink ``link_and_dedupe``), then forms clusters of rows that
are one person, proposes a grave and a name for each cluster and lists
conflicts. Human decisions (must-link / cannot-link / isolate) are applied on
top of every run when the clusters are formed.

The model is estimated from the data itself (no labels): u probabilities by
random sampling, the prior match probability (lambda) from deterministic
rules, m probabilities by expectation maximisation. Small inputs (fewer than
``min_rows_to_train`` rows) use built-in prior m/u values instead.

Engines: ``"duckdb"`` (default) and ``"spark"`` (pyspark local mode).
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal, Protocol

import jellyfish
import pandas as pd

from linkage.io import ParsedRow
from linkage.normalize import (
    canonical_name,
    cyrillic_given_name,
    is_given_name,
    is_patronymic,
    latin_key,
    phonetic_key,
    sex_of,
    transposition_key,
    ukrainian_equivalent,
    written_twice_note,
    xlang_key,
)
from linkage.splink_compat import em_underflow_guard

__all__ = [
    "Cluster",
    "ComparisonScore",
    "Conflict",
    "DECISION",
    "Decision",
    "EVIDENCE",
    "Link",
    "PairScore",
    "RULES",
    "SPLINK",
    "ReconcileResult",
    "RowRef",
    "BLOCKING_RULES",
    "MAX_BLOCK_SIZE",
    "BlockingRule",
    "add_blocking_keys",
    "build_features",
    "count_candidate_pairs",
    "reconcile",
]

log = logging.getLogger(__name__)

RowRef = tuple[str, int]  # (journal source name, row number)

_EPOCH = dt.date(1970, 1, 1)


# ------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Decision:
    """A human decision applied when clusters are formed.

    ``must_link``: a and b are the same person (accept).
    ``cannot_link``: a and b are different people (reject).
    ``isolate``: a is nobody else (split off); b is ignored."""

    kind: Literal["must_link", "cannot_link", "isolate"]
    a: RowRef
    b: RowRef | None = None


@dataclass(frozen=True, slots=True)
class ComparisonScore:
    comparison: str
    level: str
    gamma: int
    match_weight: float  # log2 Bayes factor of this comparison level


@dataclass(frozen=True, slots=True)
class PairScore:
    left: RowRef
    right: RowRef
    match_weight: float
    match_probability: float
    explanation: tuple[ComparisonScore, ...]

    @property
    def prior_weight(self) -> float:
        """The prior's share of the match weight (the waterfall's first bar):
        the match weight is the prior plus every comparison's weight."""
        return self.match_weight - sum(c.match_weight for c in self.explanation)


#: How a link between two rows was made (``Link.rule``), in English: Splink's
#: match probability, a reviewer's decision, or a clustering rule of this
#: module. Every rule that joins two rows names itself here (the web pages
#: translate these names: ``imena/journals/waterfall.py::RULE_LABELS``).
SPLINK = "splink"
DECISION = "must_link"
RULES: dict[str, str] = {
    SPLINK: "match probability at or above the threshold (Splink)",
    DECISION: "a reviewer decided they are one person",
    "written_twice": "one person written twice in one journal (a reburial, a "
    "corrected entry)",
    "nameless_written_twice": "a nameless entry corrected or repeated in one journal",
    "written_apart": "one person written twice in one journal at no common grave "
    "number, without a note: the same death day, names and birth years that fit",
    "reburied_without_note": "one person written twice in one journal at two "
    "graves, without a note (a reburial): the full name, the full birth date and "
    "the death day agree, and no other row of the journal has them",
    "nameless_moved": "a nameless body buried temporarily and reburied",
    "twice_through_other_journal": "one person written twice in one journal: a "
    "row of another journal is linked to both rows at or above the threshold, "
    "and the two rows agree in everything both write",
    "slipped_line": "the person's own line, linked in place of the neighbouring "
    "line that carries the next burial's name",
    "linked_through_slipped_line": "linked through a line later taken out (a name "
    "slipped onto the neighbouring line)",
    "lone_nameless": "the only nameless rows with this death and burial day",
    "nameless_at_grave": "nameless rows left alone at one grave (or the "
    "neighbouring plank)",
    "between_neighbours": "the only free rows between the same two linked rows "
    "of both journals",
    "between_neighbours_in_order": "nameless rows of one burial day between the "
    "same two linked rows, in the same order",
    "nameless_at_taken_number": "a row at a grave that is another body's, and the "
    "one free row at the neighbouring plank, one of them nameless: written one "
    "plank off",
    "last_nameless_at_mass_grave": "the one nameless row of each journal left "
    "alone at a mass grave that both list with as many nameless rows",
}

#: The evidence of a rule's link (``Link.evidence``), in English. The facts of
#: the two rows are listed by ``_evidence``; a rule adds what only it knows
#: (the rows' place in the journals, that no other row fits).
EVIDENCE: dict[str, str] = {
    "same_grave": "the same grave number",
    "same_mass_grave": "the same mass grave",
    "grave_written_two_ways": "one grave number written two ways (a lost suffix "
    "or transposed digits)",
    "neighbouring_plank": "neighbouring plank numbers",
    "other_grave": "different grave numbers",
    "no_grave_number": "a row without a grave number",
    "names_agree": "surname and given name agree",
    "both_nameless": "both rows nameless",
    "one_nameless": "one row nameless",
    "same_birth_date": "the same birth date",
    "birth_years_fit": "birth years fit (from a date or the age)",
    "same_death_day": "the same death day",
    "death_days_a_day_apart": "death days a day apart",
    "other_death_day": "different death days",
    "same_burial_day": "the same burial day",
    "buried_later": "buried later (the reburial)",
    "other_burial_day": "different burial days",
    "same_sex": "the same sex",
    "ages_fit": "ages fit",
    "note_temporary": "a note: temporary burial",
    "note_reburial": "a note: reburial",
    "note_correction": "a note: corrected or repeated entry",
    "only_candidate": "each is the other's only candidate",
    "only_group": "the rows (three or more) each fit every other, and no other "
    "row of the journal",
    "given_name_slip": "given names one slip of the pen apart (a letter changed, "
    "left out or swapped)",
    "birth_year_one_digit": "birth years one digit apart (one or ten years: the "
    "slip a corrected entry fixes)",
    "no_birth_on_one_row": "one row without a birth date or age; the full names "
    "with patronymics agree",
    "same_burial_no_death_day": "no death day on a row: the same burial day and "
    "birth years on both rows",
    "full_identity": "the full name with patronymic, the full birth date and the "
    "death day agree (burial days differ)",
    "patronymic_on_one_row": "the patronymic on one row only",
    "linked_to_both_rows": "a row of another journal is linked to both rows of "
    "this journal at or above the threshold",
    "agree_in_all_written": "the two rows agree in everything both write (names, "
    "death day, birth years)",
    "names_swapped": "surname and given name written in swapped order",
    "surnames_through_other_row": "the two surnames are each one slip from the "
    "other journal's row's surname",
    "one_body_at_grave": "no journal lists another body at that grave",
    "unique_dates": "no other nameless row has these death and burial days",
    "between_linked_rows": "between the same two linked rows in both journals",
    "same_order": "in the same order between those rows",
    "neighbouring_line_slipped": "the neighbouring line carries the next burial's name",
    "number_taken": "the other journal has another body at this row's number "
    "(linked to this journal's row there, or buried or died on another day)",
    "last_nameless_left": "every other nameless row of this mass grave is linked, "
    "in both journals",
}


@dataclass(frozen=True, slots=True)
class Link:
    """One edge of a cluster: two rows joined, and why. The links of a
    cluster connect all its rows (a spanning tree). ``rule``: a key of
    ``RULES`` (``"splink"``: the pair's match probability reached the
    threshold; ``"must_link"``: a reviewer's decision; else a clustering
    rule). ``evidence``: keys of ``EVIDENCE`` (rules only). ``pair``: Splink's
    score of the two rows (its waterfall), None when the pair was not scored
    (no blocking rule put them together, or below ``min_pair_probability``)."""

    left: RowRef
    right: RowRef
    rule: str
    evidence: tuple[str, ...] = ()
    pair: PairScore | None = None

    @property
    def source(self) -> str:
        """``splink``, ``decision`` or ``rule`` (the ``--explain`` column)."""
        if self.rule == SPLINK:
            return "splink"
        return "decision" if self.rule == DECISION else "rule"


@dataclass(slots=True)
class Cluster:
    cluster_id: str
    rows: list[RowRef]
    grave: str | None  # proposed grave key, e.g. "12а", "бм1"
    name: str  # proposed full name (surname given patronymic)
    surname: str
    given_name: str
    patronymic: str
    grave_votes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: Literal[
        "grave_multiple_people", "person_multiple_graves", "row_without_grave"
    ]
    message: str
    grave: str | None
    cluster_ids: tuple[str, ...]
    rows: tuple[RowRef, ...]


@dataclass(slots=True)
class ReconcileResult:
    clusters: list[Cluster]
    conflicts: list[Conflict]
    pairs_frame: pd.DataFrame  # one line per scored pair above min_pair_probability
    row_cluster: dict[RowRef, str]
    row_probability: dict[RowRef, float | None]
    model: dict[str, Any]  # Splink settings with trained parameters
    engine: str
    threshold: float
    notes: list[str] = field(default_factory=list)
    _level_info: dict[str, list[tuple[str, int, float]]] = field(
        default_factory=dict, repr=False
    )
    _pairs_cache: list[PairScore] | None = field(default=None, repr=False)
    _pair_index: dict[RowRef, list[tuple[int, RowRef]]] | None = field(
        default=None, repr=False
    )
    _row_grave: dict[RowRef, str | None] = field(default_factory=dict, repr=False)
    # per nameless row the sex its entry states, and per named row its
    # patronymic's ("F"/"M"; rows that state none are left out)
    _row_sex: dict[RowRef, tuple[bool, str]] = field(default_factory=dict, repr=False)
    _links_cache: dict[RowRef, PairScore] | None = field(default=None, repr=False)
    # the links that formed the clusters: (left, right, rule, evidence)
    _edges: list[tuple[RowRef, RowRef, str, tuple[str, ...]]] = field(
        default_factory=list, repr=False
    )
    _links_list: list[Link] | None = field(default=None, repr=False)
    _linked_cache: list[PairScore] | None = field(default=None, repr=False)
    _row_link_cache: dict[RowRef, Link] | None = field(default=None, repr=False)
    _links_by_row: dict[RowRef, list[int]] | None = field(default=None, repr=False)
    # the rows' facts the clustering rules read, and each row's index there
    _facts: _RowFacts | None = field(default=None, repr=False)
    _ref_index: dict[RowRef, int] = field(default_factory=dict, repr=False)

    @property
    def links(self) -> list[Link]:
        """Every link that joined two clusters while they were formed, in
        that order, with the rule that made it, its evidence and Splink's
        score of the pair when scored. The links of a cluster connect all
        its rows: each row of a cluster of several is explained by a chain
        of links (``--explain``)."""
        if self._links_list is None:
            # a link's two rows are in one cluster: its score, if any, is one
            # of the linked pairs
            scored = {(p.left, p.right): p for p in self.linked_pairs()}
            self._links_list = [
                Link(a, b, rule, why, scored.get((a, b)) or scored.get((b, a)))
                for a, b, rule, why in self._edges
            ]
        return self._links_list

    def row_explanations(self) -> dict[RowRef, Link]:
        """Per row in a cluster of several, the link that explains its place:
        a reviewer's must-link; else its strongest scored pair in the cluster
        when that pair reaches the threshold (Splink alone links them); else
        the first link that joined it (a rule's, with the rule's evidence)."""
        if self._row_link_cache is None:
            out: dict[RowRef, Link] = {}
            first: dict[RowRef, Link] = {}
            for link in self.links:
                for ref in (link.left, link.right):
                    if link.rule == DECISION:
                        out.setdefault(ref, link)
                    first.setdefault(ref, link)
            for ref, pair in self.row_links().items():
                if ref not in out and pair.match_probability >= self.threshold:
                    out[ref] = Link(pair.left, pair.right, SPLINK, (), pair)
            for ref, link in first.items():
                out.setdefault(ref, link)
            self._row_link_cache = out
        return self._row_link_cache

    def conflict_link(self, conflict: Conflict) -> Link | None:
        """The link that explains a conflict of rows joined in one cluster:
        for ``row_without_grave`` the row's link (``row_explanations``); for
        ``person_multiple_graves`` the strongest scored pair of rows at
        different graves when it reaches the threshold, else the first link
        that joined rows at different graves (a rule's or a reviewer's).
        None for ``grave_multiple_people`` (rows kept apart:
        ``conflict_pair``)."""
        if conflict.kind == "row_without_grave":
            return (
                self.row_explanations().get(conflict.rows[0]) if conflict.rows else None
            )
        if conflict.kind != "person_multiple_graves":
            return None
        pair = self.conflict_pair(conflict)
        if pair is not None and pair.match_probability >= self.threshold:
            return Link(pair.left, pair.right, SPLINK, (), pair)
        if self._links_by_row is None:
            by_row: dict[RowRef, list[int]] = defaultdict(list)
            for k, link in enumerate(self.links):
                by_row[link.left].append(k)
                by_row[link.right].append(k)
            self._links_by_row = dict(by_row)
        grave = self._row_grave
        found = sorted(
            k for ref in conflict.rows for k in self._links_by_row.get(ref, ())
            if grave.get(self.links[k].left) != grave.get(self.links[k].right)
        )  # fmt: skip
        return self.links[found[0]] if found else None

    @property
    def pairs(self) -> list[PairScore]:
        """Scored row pairs with per-comparison explanations (built lazily)."""
        if self._pairs_cache is None:
            self._pairs_cache = [
                self._pair_from_record(r) for r in self.pairs_frame.to_dict("records")
            ]
        return self._pairs_cache

    def _pair_from_record(self, r: Mapping[str, Any]) -> PairScore:
        expl = []
        for name in _COMPARISON_NAMES:
            w = float(r[f"mw_{name}"])
            levels = self._level_info.get(name, [])
            best = min(levels, key=lambda lv: abs(lv[2] - w), default=("?", -9, w))
            label, gamma = (best[0], best[1]) if abs(best[2] - w) < 1e-6 else ("?", -9)
            expl.append(ComparisonScore(name, label, gamma, round(w, 3)))
        return PairScore(
            (r["source_l"], int(r["row_l"])),
            (r["source_r"], int(r["row_r"])),
            float(r["match_weight"]),
            float(r["match_probability"]),
            tuple(expl),
        )

    def explain(self, a: RowRef, b: RowRef) -> PairScore | None:
        """The pair's score and, per comparison, its level and match weight;
        None if the pair was not compared (blocked out) or scored below
        ``min_pair_probability``."""
        df = self.pairs_frame
        for x, y in ((a, b), (b, a)):
            hit = df[
                (df.source_l == x[0]) & (df.row_l == x[1])
                & (df.source_r == y[0]) & (df.row_r == y[1])
            ]  # fmt: skip
            if len(hit):
                return self._pair_from_record(hit.iloc[0].to_dict())
        return None

    def cluster_of(self, ref: RowRef) -> Cluster:
        cid = self.row_cluster[ref]
        return next(c for c in self.clusters if c.cluster_id == cid)

    def linked_pairs(self) -> list[PairScore]:
        """The scored pairs whose two rows ended in one cluster, with their
        explanations, strongest first."""
        if self._linked_cache is not None:
            return list(self._linked_cache)
        df = self.pairs_frame
        if not len(df):
            return []
        same = [
            self.row_cluster[(sl, int(rl))] == self.row_cluster[(sr, int(rr))]
            for sl, rl, sr, rr in zip(df.source_l, df.row_l, df.source_r, df.row_r,
                                      strict=True)
        ]  # fmt: skip
        pairs = [self._pair_from_record(r) for r in df[same].to_dict("records")]
        self._linked_cache = sorted(
            pairs, key=lambda p: (-p.match_weight, p.left, p.right)
        )
        return list(self._linked_cache)

    def row_links(self) -> dict[RowRef, PairScore]:
        """Per row in a cluster of several: its strongest scored pair with
        another row of that cluster (the link that explains its place)."""
        if self._links_cache is None:
            out: dict[RowRef, PairScore] = {}
            for p in self.linked_pairs():
                out.setdefault(p.left, p)
                out.setdefault(p.right, p)
            self._links_cache = out
        return self._links_cache

    def conflict_pair(self, conflict: Conflict) -> PairScore | None:
        """The scored pair that explains a conflict, if any: for
        ``person_multiple_graves`` the strongest pair of the cluster whose rows
        name different graves (why they were joined anyway); for
        ``grave_multiple_people`` the strongest pair of rows of different
        clusters (why they were kept apart); for ``row_without_grave`` the
        row's strongest link."""
        if conflict.kind == "row_without_grave":
            return self.row_links().get(conflict.rows[0]) if conflict.rows else None
        index = self._pairs_by_row()
        refs = set(conflict.rows)
        grave = {ref: self._row_grave.get(ref) for ref in refs}
        best: tuple[float, int] | None = None
        df = self.pairs_frame
        weights = df["match_weight"].to_numpy()
        for ref in refs:
            for pos, other in index.get(ref, ()):
                if other not in refs or other < ref:
                    continue
                if conflict.kind == "person_multiple_graves":
                    ok = grave.get(ref) != grave.get(other)
                else:
                    ok = self.row_cluster[ref] != self.row_cluster[other]
                w = float(weights[pos])
                if ok and (best is None or w > best[0]):
                    best = (w, pos)
        if best is None:
            return None
        return self._pair_from_record(df.iloc[best[1]].to_dict())

    def review_pairs(self, low: float, high: float) -> pd.DataFrame:
        """The scored pairs with ``low <= match_probability < high`` that need
        a question of their own: not those whose two rows are both rows of
        one ``grave_multiple_people`` or ``person_multiple_graves`` conflict
        (that conflict's question shows the same rows side by side, e.g. the
        people of a mass grave, and is answered there), nor a nameless row
        and a row of the other sex, nor two rows born decades apart
        (``_born_apart``: two people, never linked), nor two rows of one
        journal with two death days (two deaths: never linked either)."""
        df = self.pairs_frame
        if not len(df):
            return df
        band = df[(df.match_probability >= low) & (df.match_probability < high)]
        in_conflict: dict[RowRef, set[int]] = defaultdict(set)
        for k, c in enumerate(self.conflicts):
            if c.kind in ("grave_multiple_people", "person_multiple_graves"):
                for ref in c.rows:
                    in_conflict[ref].add(k)
        empty: set[int] = set()
        sex = self._row_sex

        def other_sex(a: RowRef, b: RowRef) -> bool:
            sa, sb = sex.get(a), sex.get(b)
            return (
                sa is not None
                and sb is not None
                and (sa[0] or sb[0])
                and sa[1] != sb[1]
            )

        facts, at = self._facts, self._ref_index

        def born_apart(a: RowRef, b: RowRef) -> bool:
            return facts is not None and _born_apart(facts, at[a], at[b])

        def two_deaths(a: RowRef, b: RowRef) -> bool:
            return facts is not None and _two_deaths(facts, at[a], at[b])

        own = [
            not (
                in_conflict.get((sl, int(rl)), empty)
                & in_conflict.get((sr, int(rr)), empty)
            )
            and not other_sex((sl, int(rl)), (sr, int(rr)))
            and not born_apart((sl, int(rl)), (sr, int(rr)))
            and not two_deaths((sl, int(rl)), (sr, int(rr)))
            for sl, rl, sr, rr in zip(band.source_l, band.row_l, band.source_r,
                                      band.row_r, strict=True)
        ]  # fmt: skip
        return band[own]

    def _pairs_by_row(self) -> dict[RowRef, list[tuple[int, RowRef]]]:
        if self._pair_index is None:
            df = self.pairs_frame
            index: dict[RowRef, list[tuple[int, RowRef]]] = defaultdict(list)
            for pos, (sl, rl, sr, rr) in enumerate(
                zip(df.source_l, df.row_l, df.source_r, df.row_r, strict=True)
            ):
                a, b = (sl, int(rl)), (sr, int(rr))
                index[a].append((pos, b))
                index[b].append((pos, a))
            self._pair_index = dict(index)
        return self._pair_index

    @property
    def comparison_names(self) -> tuple[str, ...]:
        """The comparisons of every explanation, in order."""
        return _COMPARISON_NAMES


# ---------------------------------------------------------------- features


def _day(d: Any) -> float | None:
    if d is None or d.precision != "day":
        return None
    return float((d.first_day() - _EPOCH).days)


def _none(s: str) -> str | None:
    return s if s else None


def _initial(x: str | None) -> str | None:
    return x[0] if x else None


def build_features(rows: Sequence[ParsedRow]) -> pd.DataFrame:
    """One line per row with the comparison keys the model uses."""
    recs: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        sur, giv, pat = r.surname, r.given_name, r.patronymic
        # a Latin given name in any transliteration (Sergey, Yuriy, Iurii)
        # compares as the Cyrillic name it spells
        giv = cyrillic_given_name(giv) or giv
        gx = xlang_key(giv, "first") if len(canonical_name(giv)) > 1 else ""
        px = xlang_key(pat, "patronymic") if len(canonical_name(pat)) > 1 else ""
        gi = xlang_key(giv, "first")[:1] if giv else ""
        pi = xlang_key(pat, "patronymic")[:1] if pat else ""
        # the initial as a Ukrainian writer abbreviates it: "О." for
        # Олександр/Александр (the uk/ru key starts with "а")
        giu = canonical_name(ukrainian_equivalent(giv))[:1] if giv else ""
        piu = canonical_name(pat)[:1] if pat else ""
        birth_year = r.birth_date.year if r.birth_date else None
        ref = r.death_date or r.burial_date
        lo: int | None
        hi: int | None
        if r.birth_date is not None:
            lo = hi = r.birth_date.year
        elif r.age is not None and ref is not None:
            lo, hi = ref.year - r.age[1] - 1, ref.year - r.age[0]
        else:
            lo = hi = None
        g = r.grave
        nameless = not (r.surname or r.given_name)
        death, burial = _day(r.death_date), _day(r.burial_date)
        recs.append(
            {
                "unique_id": i,
                "source": r.source,
                "row_number": r.row_number,
                "surname_c": _none(canonical_name(sur)),
                "surname_x": _none(xlang_key(sur, "last")),
                "surname_lat": _none(latin_key(sur)),
                "surname_p": _none(phonetic_key(sur, "last")),
                "given_x": _none(gx),
                # via the Ukrainian form: Евгений and Yevhen meet as "ievhen"
                "given_lat": _none(latin_key(ukrainian_equivalent(giv)) if gx else ""),
                "given_i": _none(gi),
                "given_iu": _none(giu),
                "patr_x": _none(px),
                "patr_i": _none(pi),
                "patr_iu": _none(piu),
                "birth_day": _day(r.birth_date),
                "birth_year": birth_year,
                "by_lo": lo,
                "by_hi": hi,
                "death_day": death,
                "burial_day": burial,
                # nameless rows and rows without a grave number have only their
                # dates left to go on (blocked on death + burial day)
                "dates_key": (
                    f"{death:.0f}:{burial:.0f}"
                    if death is not None and burial is not None
                    else None
                ),
                "nameless": nameless,
                # the burial day of rows that are nameless or have no grave
                # number (the only rows the "burial_day" rule pairs)
                "loose_burial": (
                    burial if burial is not None and (nameless or g is None) else None
                ),
                "grave_key": g.key if g else None,
                "grave_num": (g.prefix + g.digits) if g else None,
                "grave_anag": transposition_key(g) if g else None,
                "grave_mass": bool(g.is_mass) if g else None,
                # individual graves' plank numbers, for the neighbour level
                "grave_n": g.number if g and not g.is_mass else None,
            }
        )
    df = pd.DataFrame.from_records(recs)
    for c in (
        "birth_day",
        "birth_year",
        "by_lo",
        "by_hi",
        "death_day",
        "burial_day",
        "loose_burial",
        "grave_n",
    ):
        df[c] = pd.array(df[c], dtype="Int64")
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype).startswith("str"):
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


# -------------------------------------------------------------------- model

_COMPARISON_NAMES = (
    "surname",
    "given",
    "patronymic",
    "birth",
    "death_date",
    "burial_date",
    "grave",
)


def _lvl(sql: str, label: str, m: float, u: float) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m,
            "u_probability": u}  # fmt: skip


def _null(sql: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": "null", "is_null_level": True}


_ELSE: dict[str, Any] = {"sql_condition": "ELSE", "label_for_charts": "else"}


def _lr(sql: str) -> str:
    """``l.col``/``r.col`` (readable) -> ``col_l``/``col_r`` (Splink levels)."""
    return re.sub(r"\b([lr])\.(\w+)", r"\2_\1", sql)


def _comparisons(jw: str) -> list[dict[str, Any]]:
    comps = _comparisons_lr(jw)
    for c in comps:
        for lv in c["comparison_levels"]:
            lv["sql_condition"] = _lr(lv["sql_condition"])
    return comps


def _comparisons_lr(jw: str) -> list[dict[str, Any]]:
    def jw_(col: str, t: float) -> str:
        return f"{jw}(l.{col}, r.{col}) >= {t}"

    def nul(c: str) -> str:
        return f"l.{c} IS NULL OR r.{c} IS NULL"

    return [
        {
            "output_column_name": "surname",
            "comparison_levels": [
                _null(nul("surname_x")),
                _lvl("l.surname_c = r.surname_c", "exact", 0.80, 0.002),
                _lvl("l.surname_x = r.surname_x", "uk/ru equivalent", 0.10, 0.001),
                _lvl("l.surname_lat = r.surname_lat", "transliteration", 0.02, 0.001),
                _lvl(jw_("surname_x", 0.92), "jaro-winkler >= 0.92", 0.04, 0.002),
                _lvl("l.surname_p = r.surname_p", "phonetic", 0.01, 0.003),
                _lvl(
                    f"l.surname_x = r.given_x OR l.given_x = r.surname_x "
                    f"OR {jw}(l.surname_lat, r.surname_lat) >= 0.9 "
                    # a passport spelling in the other order (Marta Lykha)
                    f"OR {jw}(l.surname_lat, r.given_lat) >= 0.9 "
                    f"OR {jw}(l.given_lat, r.surname_lat) >= 0.9",
                    "swapped or latin-similar",
                    0.01,
                    0.003,
                ),  # fmt: skip
                _lvl(jw_("surname_x", 0.8), "jaro-winkler >= 0.8", 0.01, 0.03),
                {**_ELSE, "m_probability": 0.01, "u_probability": 0.96},
            ],
        },
        {
            "output_column_name": "given",
            "comparison_levels": [
                _null(nul("given_i")),
                _lvl("l.given_x = r.given_x", "uk/ru equivalent", 0.88, 0.02),
                _lvl(
                    f"l.given_lat = r.given_lat OR {jw_('given_lat', 0.9)} "
                    f"OR l.given_x = r.surname_x OR l.surname_x = r.given_x "
                    f"OR l.given_lat = r.surname_lat OR l.surname_lat = r.given_lat",
                    "transliteration or swapped",
                    0.04,
                    0.005,
                ),  # fmt: skip
                _lvl(jw_("given_x", 0.9), "jaro-winkler >= 0.9", 0.03, 0.01),
                _lvl(
                    "(l.given_x IS NULL OR r.given_x IS NULL) AND "
                    "(l.given_i = r.given_i OR l.given_iu = r.given_iu)",
                    "initial",
                    0.03,
                    0.06,
                ),  # fmt: skip
                {**_ELSE, "m_probability": 0.02, "u_probability": 0.9},
            ],
        },
        {
            "output_column_name": "patronymic",
            "comparison_levels": [
                _null(nul("patr_i")),
                _lvl("l.patr_x = r.patr_x", "uk/ru equivalent", 0.9, 0.02),
                _lvl(jw_("patr_x", 0.9), "jaro-winkler >= 0.9", 0.04, 0.01),
                _lvl(
                    "(l.patr_x IS NULL OR r.patr_x IS NULL) AND "
                    "(l.patr_i = r.patr_i OR l.patr_iu = r.patr_iu)",
                    "initial",
                    0.03,
                    0.06,
                ),  # fmt: skip
                {**_ELSE, "m_probability": 0.03, "u_probability": 0.9},
            ],
        },
        {
            "output_column_name": "birth",
            "comparison_levels": [
                _null(nul("by_lo")),
                _lvl("l.birth_day = r.birth_day", "same birth date", 0.75, 0.0001),
                _lvl("l.birth_year = r.birth_year", "same birth year", 0.08, 0.01),
                _lvl(
                    "l.by_lo <= r.by_hi AND r.by_lo <= l.by_hi",
                    "birth years compatible (age)",
                    0.12,
                    0.03,
                ),  # fmt: skip
                _lvl(
                    "abs(l.by_lo - r.by_lo) <= 2 OR abs(l.by_hi - r.by_hi) <= 2",
                    "within 2 years",
                    0.03,
                    0.06,
                ),  # fmt: skip
                {**_ELSE, "m_probability": 0.02, "u_probability": 0.9},
            ],
        },
        {
            "output_column_name": "death_date",
            "comparison_levels": [
                _null(nul("death_day")),
                _lvl("l.death_day = r.death_day", "exact", 0.9, 0.006),
                _lvl(
                    "abs(l.death_day - r.death_day) <= 3", "within 3 days", 0.05, 0.04
                ),
                _lvl(
                    "abs(l.death_day - r.death_day) <= 31", "within 31 days", 0.03, 0.3
                ),
                {**_ELSE, "m_probability": 0.02, "u_probability": 0.65},
            ],
        },
        {
            "output_column_name": "burial_date",
            "comparison_levels": [
                _null(nul("burial_day")),
                _lvl("l.burial_day = r.burial_day", "exact", 0.9, 0.007),
                _lvl(
                    "abs(l.burial_day - r.burial_day) <= 7", "within 7 days", 0.06, 0.06
                ),
                _lvl(
                    "abs(l.burial_day - r.burial_day) <= 31",
                    "within 31 days",
                    0.02,
                    0.3,
                ),
                {**_ELSE, "m_probability": 0.02, "u_probability": 0.6},
            ],
        },
        {
            "output_column_name": "grave",
            "comparison_levels": [
                _null(nul("grave_key")),
                _lvl(
                    "l.grave_key = r.grave_key AND NOT l.grave_mass",
                    "exact",
                    0.9,
                    0.0005,
                ),  # fmt: skip
                _lvl("l.grave_key = r.grave_key", "exact (mass grave)", 0.02, 0.002),
                _lvl("l.grave_num = r.grave_num", "suffix differs", 0.03, 0.0005),
                _lvl(
                    "l.grave_anag = r.grave_anag AND "
                    "levenshtein(l.grave_key, r.grave_key) = 2",
                    "transposed digits",
                    0.02,
                    0.0005,
                ),  # fmt: skip
                # a plank read off the next grave: weak evidence (about 3 bits
                # against 10 for the same number), never enough on its own
                {
                    **_lvl(
                        "abs(l.grave_n - r.grave_n) = 1",
                        "neighbouring plank",
                        0.02,
                        0.004,
                    ),
                    "fix_m_probability": True,
                    "fix_u_probability": True,
                },  # fmt: skip
                {**_ELSE, "m_probability": 0.03, "u_probability": 0.997},
            ],
        },
    ]


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """Candidate pairs: rows whose key columns are equal (``right``: the other
    row's columns when they differ, e.g. swapped names), plus ``where``."""

    name: str
    left: tuple[str, ...]
    right: tuple[str, ...] | None = None
    where: str = ""

    @property
    def columns(self) -> tuple[str, str]:
        """The feature columns holding this rule's (capped) keys."""
        c = f"bk_{self.name}"
        return (c, f"{c}_r" if self.right else c)

    @property
    def sql(self) -> str:
        cl, cr = self.columns
        rule = f"l.{cl} = r.{cr}"
        return f"{rule} AND ({self.where})" if self.where else rule


#: Blocking rules: a pair is scored when any rule puts both rows in one block.
#: A nameless row has no name keys, so it meets others only through the grave
#: number and date rules.
BLOCKING_RULES: tuple[BlockingRule, ...] = (
    # same grave, also with the suffix lost (339а/339)
    BlockingRule("grave", ("grave_num",)),
    BlockingRule("name", ("surname_x", "given_x")),
    BlockingRule("grave_digits", ("grave_anag",)),
    BlockingRule("given_birth_year", ("given_x", "birth_year")),
    BlockingRule("phonetic_birth_year", ("surname_p", "by_lo")),
    BlockingRule("surname_burial", ("surname_x", "burial_day")),
    BlockingRule("given_patronymic_burial", ("given_x", "patr_x", "burial_day")),
    BlockingRule("swapped", ("surname_x", "given_x"), ("given_x", "surname_x")),
    BlockingRule("latin_name", ("surname_lat", "given_lat")),
    BlockingRule(
        "latin_swapped", ("surname_lat", "given_lat"), ("given_lat", "surname_lat")
    ),
    # e.g. a Latin-written row without a grave
    BlockingRule("birth_date", ("birth_day",)),
    BlockingRule("latin_surname_burial", ("surname_lat", "burial_day")),
    BlockingRule(
        "dates",
        ("dates_key",),
        where="(l.nameless OR r.nameless) AND (l.grave_key IS NULL "
        "OR r.grave_key IS NULL)",
    ),
    # the burial day alone, when one row is nameless and one has no grave
    # number (a death day is often not written): scored so that the rules
    # that link such rows by their place in the journals have the pair's
    # evidence to show
    BlockingRule(
        "burial_day",
        ("loose_burial",),
        where="(l.nameless OR r.nameless) AND (l.grave_key IS NULL "
        "OR r.grave_key IS NULL) AND (l.death_day IS NULL OR r.death_day IS NULL)",
    ),
)

#: Rows sharing one blocking key beyond which that key is dropped: all pairs of
#: a block are scored, so one name written on thousands of rows ("Іваненко
#: Іван" or a mass grave's number on every row) would mean millions of pairs.
#: Those rows still meet through the other rules (dates, birth date, grave).
MAX_BLOCK_SIZE = 500


def _key(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series:
    """One string per row joining ``cols`` (None if any is missing)."""
    parts = [df[c].astype(object) for c in cols]
    missing = pd.concat([p.isna() for p in parts], axis=1).any(axis=1)
    text = parts[0].astype(str)
    for p in parts[1:]:
        text = text + "\x1f" + p.astype(str)
    return text.where(~missing, None)


def add_blocking_keys(
    df: pd.DataFrame, max_block_size: int = MAX_BLOCK_SIZE
) -> dict[str, int]:
    """Add each rule's key columns to the features ``df`` (in place), with
    keys shared by more than ``max_block_size`` rows dropped (set to None).
    Returns, per rule, how many rows lost their key to the cap."""
    dropped: dict[str, int] = {}
    for rule in BLOCKING_RULES:
        cl, cr = rule.columns
        left = _key(df, rule.left)
        right = _key(df, rule.right) if rule.right else left
        counts = pd.concat([left, right]).value_counts() if rule.right else None
        big_l = left.map(counts if counts is not None else left.value_counts()).gt(
            max_block_size
        )
        # an asymmetric rule pairs left keys with right keys: a key is too
        # common when it is on too many rows on either side
        big_r = right.map(counts).gt(max_block_size) if rule.right else big_l
        dropped[rule.name] = int(big_l.sum())
        df[cl] = left.where(~big_l, None)
        if rule.right:
            df[cr] = right.where(~big_r, None)
    return dropped


_DETERMINISTIC = ["l.bk_name = r.bk_name AND l.grave_key = r.grave_key"]
# EM is blocked on the capped keys too (an uncapped block would compare all
# its pairs); the plain columns are named as well so that Splink leaves the
# comparisons blocked on untrained
_EM_RULES = (
    "l.bk_grave = r.bk_grave AND l.grave_key = r.grave_key",
    "l.bk_name = r.bk_name AND l.surname_x = r.surname_x AND l.given_x = r.given_x",
)
#: The prior used when it cannot be estimated (no pair passes the rule).
_DEFAULT_PRIOR = 0.0005


def _blocking_settings() -> list[dict[str, str]]:
    return [{"blocking_rule": b.sql} for b in BLOCKING_RULES]


def _settings(link_type: str, jw: str) -> dict[str, Any]:
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": _DEFAULT_PRIOR,
        "comparisons": _comparisons(jw),
        "blocking_rules_to_generate_predictions": _blocking_settings(),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["source", "row_number"],
        "max_iterations": 20,
        "em_convergence": 0.0005,
    }


def _get_spark() -> Any:
    """A local Spark session. Memory and partitions come from the environment
    (IMENA_SPARK_DRIVER_MEMORY, default 6g; IMENA_SPARK_PARTITIONS, default 8):
    100k journal rows ran out of memory with a 2 GB driver."""
    import os
    import tempfile

    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    session = (
        SparkSession.builder.master("local[2]")
        .appName("imena-linkage")
        .config("spark.jars", similarity_jar_location())
        .config(
            "spark.sql.shuffle.partitions", os.getenv("IMENA_SPARK_PARTITIONS", "8")
        )
        .config("spark.default.parallelism", os.getenv("IMENA_SPARK_PARTITIONS", "8"))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.getenv("IMENA_SPARK_DRIVER_MEMORY", "6g"))
        .getOrCreate()
    )
    if not session.sparkContext.getCheckpointDir():
        session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="imena-spark-"))
    return session


def count_candidate_pairs(
    rows: Sequence[ParsedRow], *, max_block_size: int = MAX_BLOCK_SIZE
) -> int:
    """How many distinct row pairs the blocking rules give ``reconcile`` to
    score (DuckDB, exact count)."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    feats = build_features(rows)
    add_blocking_keys(feats, max_block_size)
    sources = list(dict.fromkeys(feats["source"]))
    db_api = DuckDBAPI()
    if len(sources) > 1:
        tables: Any = [
            db_api.register(feats[feats["source"] == s].reset_index(drop=True),
                            dataset_display_name=f"j{i}")
            for i, s in enumerate(sources)
        ]  # fmt: skip
        link_type: Literal["link_and_dedupe", "dedupe_only"] = "link_and_dedupe"
    else:
        tables = db_api.register(feats, dataset_display_name="j0")
        link_type = "dedupe_only"
    counts = count_comparisons_from_blocking_rules(
        tables, blocking_rules=[b.sql for b in BLOCKING_RULES],
        link_type=link_type, unique_id_column_name="unique_id",
        record_sample_proportion=1.0,
    )  # fmt: skip
    return int(counts[-1]["cumulative_comparison_count"])


def _score(
    feats: pd.DataFrame,
    *,
    engine: str,
    model: Mapping[str, Any] | None,
    min_rows_to_train: int,
    min_pair_probability: float,
    seed: int,
    spark: Any,
    notes: list[str],
    max_block_size: int = MAX_BLOCK_SIZE,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    import splink

    feats = feats.copy()
    for rule, n in add_blocking_keys(feats, max_block_size).items():
        if n:
            notes.append(
                f"blocking rule {rule!r}: {n} rows share a key with more than "
                f"{max_block_size} rows; they are compared through the other rules"
            )
    sources = list(dict.fromkeys(feats["source"]))
    link_type = "link_and_dedupe" if len(sources) > 1 else "dedupe_only"
    if engine == "duckdb":
        from splink import DuckDBAPI

        db_api: Any = DuckDBAPI()
        jw = "jaro_winkler_similarity"
    elif engine == "spark":
        from splink import SparkAPI

        db_api = SparkAPI(spark_session=spark or _get_spark())  # type: ignore[no-untyped-call]
        jw = "jaro_winkler"
    else:
        raise ValueError(f"unknown engine {engine!r}: use 'duckdb' or 'spark'")

    if model is not None:
        settings = dict(model)
        settings["link_type"] = link_type
        settings.pop("sql_dialect", None)
        if engine == "spark" or "jaro_winkler_similarity" not in str(settings):
            settings = _retarget(settings, jw)
        # blocking is not trained: a model saved before the rules changed gets
        # today's (capped) rules
        settings["blocking_rules_to_generate_predictions"] = _blocking_settings()
    else:
        settings = _settings(link_type, jw)

    if link_type == "link_and_dedupe":
        tables: Any = [
            db_api.register(
                feats[feats["source"] == s].reset_index(drop=True),
                dataset_display_name=f"j{i}",
            )  # fmt: skip
            for i, s in enumerate(sources)
        ]
    else:
        tables = db_api.register(feats, dataset_display_name="j0")

    def make(settings: Mapping[str, Any]) -> Any:
        s = {k: v for k, v in settings.items()
             if k not in ("sql_dialect", "linker_uid")}  # fmt: skip
        return splink.Linker(tables, s, log_level=logging.ERROR)

    if model is None and len(feats) >= min_rows_to_train:
        settings = _train(make, settings, seed=seed, notes=notes)
    elif model is None:
        notes.append(f"{len(feats)} rows < {min_rows_to_train}: used prior m/u values")
    linker = make(settings)
    pred = linker.inference.predict(threshold_match_probability=min_pair_probability)
    cols = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"] + [
        f"mw_{n}" for n in _COMPARISON_NAMES
    ]
    # only the columns used: the prediction table also holds every feature
    # column of both rows, gammas and Bayes factors
    out = linker.misc.query_sql(
        f"SELECT {', '.join(cols)} FROM {pred.physical_name}", output_type="pandas"
    )
    trained = linker.misc.save_model_to_json(out_path=None)
    return out, trained


def _train(
    make: Callable[[Mapping[str, Any]], Any],
    settings: dict[str, Any],
    *,
    seed: int,
    notes: list[str],
) -> dict[str, Any]:
    """Estimate the prior, u and m, each step on its own: a step that fails
    (e.g. no two rows at one grave to train on) is noted and its changes
    dropped, and training goes on from the last good settings. Returns the
    trained settings."""

    def step(tr: Any, what: str) -> None:
        if what == "the prior":
            tr.estimate_probability_two_random_records_match(_DETERMINISTIC, recall=0.6)
        elif what == "u":
            tr.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        else:
            tr.estimate_parameters_using_expectation_maximisation(
                what, fix_u_probabilities=True
            )

    good = settings
    linker = make(good)
    with em_underflow_guard():
        for what in ("the prior", "u", *_EM_RULES):
            try:
                step(linker.training, what)
            except Exception as e:  # depends on the data
                first = str(e).splitlines()[0] if str(e) else type(e).__name__
                if what not in ("the prior", "u"):
                    what = f"m (blocked on {what})"
                notes.append(f"training of {what} failed ({first}); kept prior values")
                log.warning("linkage training of %s failed: %s", what, first)
                # a failed session can leave the linker's model half changed
                linker = make(good)
            else:
                good = linker.misc.save_model_to_json(out_path=None)
    prior = good.get("probability_two_random_records_match")
    if not (isinstance(prior, float | int) and 0 < prior < 1):
        # no pair passed the deterministic rule (e.g. every row at its own
        # grave): a prior of 0 would rule every pair out, and Splink's log fail
        notes.append(f"prior match probability {prior} unusable; used {_DEFAULT_PRIOR}")
        good = {**good, "probability_two_random_records_match": _DEFAULT_PRIOR}
    return good


def _retarget(settings: Mapping[str, Any], jw: str) -> dict[str, Any]:
    import json

    text = json.dumps(settings)
    for name in ("jaro_winkler_similarity", "jaro_winkler"):
        text = text.replace(f"{name}(", "__JW__(")
    retargeted: dict[str, Any] = json.loads(text.replace("__JW__(", f"{jw}("))
    return retargeted


def _level_info(model: Mapping[str, Any]) -> dict[str, list[tuple[str, int, float]]]:
    """Per comparison: (label, gamma, match weight) of each level."""
    info: dict[str, list[tuple[str, int, float]]] = {}
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        n = len(non_null)
        out = [(lv.get("label_for_charts", "null"), -1, 0.0) for lv in levels
               if lv.get("is_null_level")]  # fmt: skip
        for k, lv in enumerate(non_null):
            m, u = lv.get("m_probability"), lv.get("u_probability")
            ok = isinstance(m, float | int) and isinstance(u, float | int) and m and u
            w = math.log2(m / u) if ok else 0.0
            out.append((lv.get("label_for_charts", "?"), n - 1 - k, w))
        info[name] = out
    return info


# --------------------------------------------------------------- clustering


class _Clusters:
    """Union-find that keeps member lists, for constrained greedy merging, and
    the edges that joined them (``links``: a spanning forest of the clusters,
    each edge with the rule that made it and that rule's own evidence codes)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.links: list[tuple[int, int, str, tuple[str, ...]]] = []

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(
        self, a: int, b: int, rule: str = SPLINK, why: tuple[str, ...] = ()
    ) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        self.links.append((a, b, rule, why))
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        return ra


@dataclass(slots=True)
class _RowFacts:
    """What the clustering rules look at, per row (index = unique_id)."""

    source: list[str]
    grave: list[str | None]  # grave key ("339а")
    grave_num: list[str | None]  # without the suffix ("339")
    grave_anag: list[str | None]  # sorted digits (transpositions)
    nameless: list[bool]
    mass: list[bool]
    death: list[float | None]
    burial: list[float | None]
    age: list[tuple[int, int] | None]
    row: list[int]
    birth: list[float | None] = field(default_factory=list)  # full birth date
    # birth years: (first, last) possible, from the date or the age
    birth_years: list[tuple[int, int] | None] = field(default_factory=list)
    has_patronymic: list[bool] = field(default_factory=list)
    # a note saying the row is one of two entries for one person (reburial,
    # corrected entry)
    twice_note: list[str] = field(default_factory=list)  # written_twice_note
    sex: list[str] = field(default_factory=list)  # "f", "m" or "" (not known)
    # per name part (surname, given, patronymic): the uk/ru key, the Latin
    # key and the canonical spelling
    name_keys: list[tuple[tuple[str, str, str], ...]] = field(default_factory=list)
    surname_sound: list[str] = field(default_factory=list)  # phonetic_key
    birth_md: list[tuple[int, int] | None] = field(default_factory=list)  # month, day
    # birth years with each row's uncertainty (``_birth_span``): for the
    # born-apart veto
    birth_span: list[tuple[int, int] | None] = field(default_factory=list)

    @classmethod
    def of(cls, rows: Sequence[ParsedRow]) -> _RowFacts:
        return cls(
            source=[r.source for r in rows],
            grave=[r.grave_key or None for r in rows],
            grave_num=[
                (r.grave.prefix + r.grave.digits) if r.grave else None for r in rows
            ],  # fmt: skip
            grave_anag=[_anagram_key(r) for r in rows],
            nameless=[not (r.surname or r.given_name) for r in rows],
            mass=[bool(r.grave and r.grave.is_mass) for r in rows],
            death=[_day(r.death_date) for r in rows],
            burial=[_day(r.burial_date) for r in rows],
            age=[r.age for r in rows],
            row=[r.row_number for r in rows],
            birth=[_day(r.birth_date) for r in rows],
            name_keys=[
                tuple(
                    (xlang_key(part, kind), latin_key(part), canonical_name(part))
                    for part, kind in (
                        (r.surname, "last"),
                        (r.given_name, "first"),
                        (r.patronymic, "patronymic"),
                    )
                )
                for r in rows
            ],  # fmt: skip
            surname_sound=[phonetic_key(r.surname, "last") for r in rows],
            birth_md=[
                (r.birth_date.month, r.birth_date.day)
                if r.birth_date is not None
                and r.birth_date.day is not None
                and r.birth_date.month is not None
                else None
                for r in rows
            ],  # fmt: skip
            birth_years=[_birth_years(r) for r in rows],
            has_patronymic=[bool(r.patronymic) for r in rows],
            twice_note=[written_twice_note(r.notes) for r in rows],
            sex=[
                sex_of(
                    r.full_name if not (r.surname or r.given_name) else "", r.patronymic
                )
                for r in rows
            ],  # fmt: skip
            birth_span=[_birth_span(r) for r in rows],
        )


_LEADING_ZERO = re.compile(r"(?<!\d)0+([1-9]\d*)")


def _anagram_key(r: ParsedRow) -> str | None:
    """The grave number's digits sorted (``transposition_key``), with the
    zeros a written number begins with: ``0264`` is ``2064`` with two digits
    swapped (no grave number begins with 0), not grave 264."""
    g = r.grave
    if g is None:
        return None
    m = _LEADING_ZERO.search(r.grave_raw or "")
    if m is None or m.group(1) != g.digits:
        return transposition_key(g) or None
    return g.prefix + "".join(sorted(m.group(0))) + g.suffix


class Merge(Protocol):
    """``try_merge`` of ``_form_clusters``, as the clustering rules call it:
    join two rows' clusters if the constraints allow, recording the link with
    the rule's name (a key of ``RULES``) and its own evidence (keys of
    ``EVIDENCE``). Every rule that links rows calls it with its name."""

    def __call__(
        self, a: int, b: int, rule: str = ..., why: tuple[str, ...] = ...
    ) -> bool: ...


def _evidence(
    f: _RowFacts, x: int, y: int, why: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The facts of rows ``x`` and ``y`` a rule's link rests on (keys of
    ``EVIDENCE``): how their graves, names, dates, sex, ages and notes
    compare, then ``why`` (what only the rule knows)."""
    out: list[str] = []
    gx, gy = f.grave[x], f.grave[y]
    if gx is None or gy is None:
        out.append("no_grave_number")
    elif gx == gy:
        out.append("same_mass_grave" if f.mass[x] else "same_grave")
    elif _related_graves(f, x, y):
        out.append("grave_written_two_ways")
    elif gx.isdigit() and gy.isdigit() and abs(int(gx) - int(gy)) == 1:
        out.append("neighbouring_plank")
    else:
        out.append("other_grave")
    if f.nameless[x] and f.nameless[y]:
        out.append("both_nameless")
    elif f.nameless[x] or f.nameless[y]:
        out.append("one_nameless")
    bx, by = f.birth[x], f.birth[y]
    yx, yy = f.birth_years[x], f.birth_years[y]
    if bx is not None and bx == by:
        out.append("same_birth_date")
    elif yx is not None and yy is not None and yx[0] <= yy[1] and yy[0] <= yx[1]:
        out.append("birth_years_fit")
    for a, b, same, near, other in (
        (f.death[x], f.death[y], "same_death_day", "death_days_a_day_apart",
         "other_death_day"),
        (f.burial[x], f.burial[y], "same_burial_day", "", "other_burial_day"),
    ):  # fmt: skip
        if a is None or b is None:
            continue
        if a == b:
            out.append(same)
        elif near and abs(a - b) <= 1:
            out.append(near)
        else:
            out.append(other)
    if f.sex[x] and f.sex[x] == f.sex[y]:
        out.append("same_sex")
    if f.age[x] is not None and f.age[y] is not None and _ages_fit(f, x, y):
        out.append("ages_fit")
    for note in dict.fromkeys(n for n in (f.twice_note[x], f.twice_note[y]) if n):
        out.append(f"note_{note}")
    if "other_burial_day" in out and {f.twice_note[x], f.twice_note[y]} == {
        "temporary",
        "reburial",
    }:
        out[out.index("other_burial_day")] = "buried_later"
    return tuple(dict.fromkeys((*out, *why)))


def _other_sex(f: _RowFacts, x: int, y: int) -> bool:
    """A nameless row and another row that state different sexes (two
    people). Between two named rows the names are the evidence (and a
    grave's body written under another burial's name has that name's sex)."""
    sx, sy = f.sex[x], f.sex[y]
    return bool((f.nameless[x] or f.nameless[y]) and sx and sy and sx != sy)


def _birth_years(r: ParsedRow) -> tuple[int, int] | None:
    """The years the row's person can have been born in: the birth year, or
    from the age at death (or burial), as the birth comparison reads them."""
    if r.birth_date is not None:
        return (r.birth_date.year, r.birth_date.year)
    ref = r.death_date or r.burial_date
    if r.age is not None and ref is not None:
        return (ref.year - r.age[1] - 1, ref.year - r.age[0])
    return None


#: Birth years more than this many years apart (each row's years widened by
#: its uncertainty, ``_birth_span``) are two people: a father and the son
#: named after him, never one person written with a slip.
BIRTH_YEARS_APART = 15
# how far an age written at death may be off the real birth year: a named
# person's age (relatives' word, a birthday not yet reached) and a nameless
# body's estimate (``~50``)
_AGE_SLACK_NAMED = 3
_AGE_SLACK_NAMELESS = 10


def _birth_span(r: ParsedRow) -> tuple[int, int] | None:
    """The years the row's person can have been born in, with the row's
    uncertainty: a written birth date or year as it is; a year from the age
    at death widened by ``_AGE_SLACK_NAMED`` (``_AGE_SLACK_NAMELESS`` for an
    unknown body's estimated age)."""
    years = _birth_years(r)
    if years is None or r.birth_date is not None:
        return years
    slack = _AGE_SLACK_NAMELESS if not (r.surname or r.given_name) else _AGE_SLACK_NAMED
    return (years[0] - slack, years[1] + slack)


def _born_apart(f: _RowFacts, x: int, y: int) -> bool:
    """Rows whose birth years are decades apart (more than
    ``BIRTH_YEARS_APART`` years between their spans, ``_birth_span``): two
    people, whatever else agrees (a father and the son named after him, in one
    grave). Not when the difference is a typo (``_birth_year_typo``), nor
    between two rows that name different people (neither surname nor given
    name agrees): a row written under another burial's name carries that
    person's birth date too, so its birth date says no more than its name
    does, and what links it is the body's grave and days."""
    sx, sy = f.birth_span[x], f.birth_span[y]
    if sx is None or sy is None:
        return False
    if max(sx[0] - sy[1], sy[0] - sx[1]) <= BIRTH_YEARS_APART:
        return False
    if _name_differs(f, x, y, 0) and _name_differs(f, x, y, 1):
        return False
    return not _birth_year_typo(f, x, y)


def _name_differs(f: _RowFacts, x: int, y: int, part: int) -> bool:
    """Both rows write this name part (0 surname, 1 given name) and neither its
    uk/ru key nor its Latin key agrees."""
    kx, ky = f.name_keys[x][part], f.name_keys[y][part]
    return bool(kx[0] and ky[0]) and kx[0] != ky[0] and kx[1] != ky[1]


def _birth_year_typo(f: _RowFacts, x: int, y: int) -> bool:
    """Two birth dates that differ by one digit of the year (``1957``/``1987``:
    a misread or mistyped digit) and agree in everything else: the same day
    and month of birth, surname and given name (uk/ru equivalents), the
    patronymic when both rows have one, no other death day, and graves that
    are one number when both rows have one. A father and son differ in more
    than one digit, or in the day of birth."""
    if f.birth_md[x] is None or f.birth_md[x] != f.birth_md[y]:
        return False
    bx, by = f.birth_span[x], f.birth_span[y]
    if bx is None or by is None:
        return False
    a, b = f"{bx[0]:04d}", f"{by[0]:04d}"
    if len(a) != len(b) or sum(p != q for p, q in zip(a, b, strict=True)) != 1:
        return False
    (sx, gx, px), (sy, gy, py) = (tuple(k[0] for k in f.name_keys[i]) for i in (x, y))
    if not (sx and gx and sx == sy and gx == gy) or (px and py and px != py):
        return False
    dx, dy = f.death[x], f.death[y]
    if dx is not None and dy is not None and dx != dy:
        return False
    g1, g2 = f.grave[x], f.grave[y]
    return g1 is None or g2 is None or g1 == g2 or _related_graves(f, x, y)


def _written_twice(
    f: _RowFacts, x: int, y: int, w_surname: float, w_given: float, w_patr: float
) -> bool:
    """Two named rows of one journal that are one person written twice (a
    reburial, a corrected entry), on the evidence a reader of the journal
    uses: the surname and given name agree (variants and typos count), and
    the patronymic too when both rows have one; and either

    * the same full birth date, and no second death day (a namesake has
      another birth date; a son named after his father, another
      patronymic); or
    * a note on either row that says the entry is written twice
      (``перезахоронение``, ``временно во дворе``, ``уточнено дані``,
      ``повторно``: :func:`linkage.normalize.written_twice_note`), both rows
      with a patronymic or both with a birth year (a date or an age), and: the
      same death day with birth years that fit;
      or birth years (from a date or an age) known on both rows and fitting,
      with one death day missing; or the same grave with death days at most
      a day apart and birth years at most a year apart (the corrected entry
      fixes such slips); or one row a temporary burial and the other, buried
      later, its reburial, with no date that disagrees.

    Rows at two graves that are not one number written two ways need the
    note (a reburial); without it the name on another grave is as likely the
    next burial's (see ``misnamed``)."""
    if f.nameless[x] or f.nameless[y] or f.mass[x] or f.mass[y]:
        return False
    if not (w_surname > 0 and w_given > 0):
        return False
    both_patr = f.has_patronymic[x] and f.has_patronymic[y]
    if both_patr and not w_patr > 0:
        return False
    nx, ny = f.twice_note[x], f.twice_note[y]
    note = bool(nx or ny)
    gx, gy = f.grave[x], f.grave[y]
    same_grave = (
        gx is not None and gy is not None and (gx == gy or _related_graves(f, x, y))
    )
    if gx is not None and gy is not None and not same_grave and not note:
        return False
    dx, dy = f.death[x], f.death[y]
    if f.birth[x] is not None and f.birth[x] == f.birth[y]:
        return dx is None or dy is None or dx == dy
    bx, by = f.birth_years[x], f.birth_years[y]
    # without a patronymic on both rows, birth years on both rows tell a
    # father from the son named after him
    if not note or not (both_patr or (bx is not None and by is not None)):
        return False

    def births_within(years: int) -> bool:
        return bx is None or by is None or (
            bx[0] - years <= by[1] and by[0] - years <= bx[1]
        )  # fmt: skip

    if dx is not None and dy is not None:
        if dx == dy and births_within(0):
            return True
        return same_grave and abs(dx - dy) <= 1 and births_within(1)
    # one death day missing
    if bx is not None and by is not None and births_within(0):
        return True
    if same_grave and births_within(1):
        return True
    # a temporary burial and, buried later, its reburial
    ux, uy = f.burial[x], f.burial[y]
    if {nx, ny} == {"temporary", "reburial"} and ux is not None and uy is not None:
        first, later = (x, y) if nx == "temporary" else (y, x)
        return f.burial[first] < f.burial[later] and births_within(0)  # type: ignore[operator]
    return False


def _changed_or_swapped(a: str, b: str) -> bool:
    """Two different strings of one length that differ in one character, or
    in two neighbouring characters swapped (``Юрій``/``Юірй``,
    ``20062022``/``02062022``)."""
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    return len(diff) == 1 or (
        len(diff) == 2 and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    )  # fmt: skip


def _one_slip(a: str, b: str) -> bool:
    """Two words of four letters or more, with the same first letter, one
    slip of the pen apart: one letter changed, left out or added, or two
    neighbouring letters swapped (``Юрій``/``Юірй``, ``Нестор``/``Нетсор``)."""
    if a == b or min(len(a), len(b)) < 4 or a[0] != b[0] or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        return _changed_or_swapped(a, b)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


def _two_deaths(f: _RowFacts, x: int, y: int) -> bool:
    """Two rows of one journal whose death days are both written, more than a
    day apart and not one written with a slip (one digit of ``dd.mm.yyyy``
    changed, or two neighbouring digits swapped): two deaths. No rule links
    them (``try_merge``: two death days in one journal are two people; a
    corrected entry fixes a day at most), so the review queue does not ask."""
    return f.source[x] == f.source[y] and _deaths_apart(f, x, y)


def _deaths_apart(f: _RowFacts, x: int, y: int) -> bool:
    """Two rows, of any journals, whose death days are both written, more than
    a day apart and neither a one-digit slip nor two neighbouring digits
    swapped (``20.06``/``12.06``, ``10.04``/``08.04``): two deaths, whatever
    else the rows share. Two journals write the same day, a day off (the day
    found, the day died) or with a slip of the pen; no rule links across
    anything else (``try_merge``; a human decision still can)."""
    dx, dy = f.death[x], f.death[y]
    if dx is None or dy is None or abs(dx - dy) <= 1:
        return False
    a = (_EPOCH + dt.timedelta(days=int(dx))).strftime("%d%m%Y")
    b = (_EPOCH + dt.timedelta(days=int(dy))).strftime("%d%m%Y")
    return not _changed_or_swapped(a, b)


def _one_digit_off(f: _RowFacts, x: int, y: int) -> bool:
    """Birth years one digit apart, the slip a corrected entry fixes: one
    year or ten years off (``1945``/``1955``), written on both rows as a year
    (a date or the year alone); with a full date on both rows, the same day
    and month. Or, a row giving the age at death, the ages one digit apart
    (``84``/``94``, ``85``/``86``): the age written against the other row's
    age, written or from its full birth date and death (or burial) day."""
    bx, by = f.birth_years[x], f.birth_years[y]
    if bx is not None and by is not None and bx[0] == bx[1] and by[0] == by[1]:
        mx, my = f.birth_md[x], f.birth_md[y]
        if mx is not None and my is not None and mx != my:
            return False
        return _digit_slip(bx[0], by[0])
    if f.age[x] is None and f.age[y] is None:
        return False
    ax, ay = _age_at_death(f, x), _age_at_death(f, y)
    return ax is not None and ay is not None and _digit_slip(ax, ay)


def _digit_slip(a: int, b: int) -> bool:
    """Two numbers one or ten apart that differ in one digit."""
    sa, sb = str(a), str(b)
    return (
        abs(a - b) in (1, 10)
        and len(sa) == len(sb)
        and sum(p != q for p, q in zip(sa, sb, strict=True)) == 1
    )


def _age_at_death(f: _RowFacts, i: int) -> int | None:
    """The age a row gives: written as one number, or the full years from
    its full birth date to its death (or burial) day."""
    age = f.age[i]
    if age is not None:
        return age[0] if age[0] == age[1] else None
    born, end = f.birth[i], f.death[i] if f.death[i] is not None else f.burial[i]
    if born is None or end is None:
        return None
    b = _EPOCH + dt.timedelta(days=born)
    e = _EPOCH + dt.timedelta(days=end)
    return e.year - b.year - ((e.month, e.day) < (b.month, b.day))


def _parts_agree(f: _RowFacts, x: int, y: int, part: int) -> str | None:
    """How one name part (0 surname, 1 given name, 2 patronymic) of two rows
    agrees: ``"same"`` (one spelling, Ukrainian/Russian or Latin), ``"close"``
    (Jaro-Winkler >= 0.92 of the Ukrainian/Russian keys, or one slip of the
    pen: ``_one_slip``), ``"initial"`` (one row has the initial only), or None."""
    return _keys_agree(f.name_keys[x][part], f.name_keys[y][part])


def _keys_agree(kx: tuple[str, str, str], ky: tuple[str, str, str]) -> str | None:
    """``_parts_agree`` of two name parts' keys (uk/ru key, Latin key,
    canonical spelling)."""
    if not kx[0] or not ky[0]:
        return None
    if kx[0] == ky[0] or (kx[1] and kx[1] == ky[1]):
        return "same"
    cx, cy = kx[2], ky[2]  # canonical spellings
    if len(cx) == 1 or len(cy) == 1:
        return "initial" if cx[0] == cy[0] or kx[0][0] == ky[0][0] else None
    if _one_slip(cx, cy) or _one_slip(kx[0], ky[0]):
        return "close"
    if jellyfish.jaro_winkler_similarity(kx[0], ky[0]) >= 0.92:
        return "close"
    return None


def _written_apart(f: _RowFacts, x: int, y: int) -> tuple[str, ...] | None:
    """Two named rows of one journal that are one person written twice, one
    row without a grave number (a reburial from a yard, a corrected entry),
    or at one grave written two ways or the neighbouring plank, with or
    without a note, or at two other graves with a note saying so
    (``written_twice_note``: a reburial): the evidence a reader of the
    journal uses. The surname agrees
    (spelling variants and slips of the pen count), the given name agrees or
    is one slip away (``Юрій``/``Юірй``), the patronymics agree when both
    rows have one, and no other sex is stated; the **same death day** is
    written on both rows (or, a death day missing, the same burial day: a
    corrected entry, then with birth years on both rows); and the birth
    years (a date, a year or an age)
    fit, or are one digit apart (``_one_digit_off``), or one row has no birth
    at all and both rows give the patronymic. A given name by its initial
    only needs the patronymics and birth years on both rows.

    Returns the rule's own evidence (keys of ``EVIDENCE``), or None. A
    namesake has another birth year or death day; a son named after his
    father another patronymic, or a birth year decades away. The caller also
    asks that each row be the other's only such row in its journal, and that
    a row at another grave is not that grave's body written under this name
    (``misnamed``). The match weight is not asked: with a different burial
    day and grave it is far below any threshold (trained on rows that agree)."""
    if f.nameless[x] or f.nameless[y] or f.mass[x] or f.mass[y]:
        return None
    gx, gy = f.grave[x], f.grave[y]
    # one grave written two ways, or the neighbouring plank (the body there
    # has its own row elsewhere when it is another grave's: ``misnamed``)
    plank = gx is not None and gy is not None and gx.isdigit() and gy.isdigit()
    plank = plank and abs(int(gx or 0) - int(gy or 0)) == 1
    two_graves = bool(gx and gy and gx != gy and not _related_graves(f, x, y))
    two_graves = two_graves and not plank
    if two_graves and not (f.twice_note[x] or f.twice_note[y]):
        # at two graves a reburial needs its note, or the whole identity
        return _reburied_without_note(f, x, y)
    dx, dy = f.death[x], f.death[y]
    if dx is not None and dy is not None and dx != dy:
        return None
    # without the death day on both rows: the same burial day (a corrected
    # entry) with birth years on both rows
    by_burial = dx is None or dy is None
    if by_burial and (f.burial[x] is None or f.burial[x] != f.burial[y]):
        return None
    sur = _parts_agree(f, x, y, 0)
    giv = _parts_agree(f, x, y, 1)
    if sur not in ("same", "close") or giv is None:
        return None
    why: list[str] = []
    if giv == "close":
        why.append("given_name_slip")
    both_patr = f.has_patronymic[x] and f.has_patronymic[y]
    if both_patr and _parts_agree(f, x, y, 2) is None:
        return None
    sx, sy = f.sex[x], f.sex[y]
    if sx and sy and sx != sy:
        return None
    bx, by = f.birth_years[x], f.birth_years[y]
    if bx is not None and by is not None:
        if bx[0] <= by[1] and by[0] <= bx[1]:
            pass
        elif _one_digit_off(f, x, y):
            why.append("birth_year_one_digit")
        else:
            return None
    elif not both_patr or giv == "initial" or by_burial:
        return None
    else:
        why.append("no_birth_on_one_row")
    if giv == "initial" and not both_patr:
        return None
    if by_burial:
        why.append("same_burial_no_death_day")
    return tuple(why)


def _reburied_without_note(f: _RowFacts, x: int, y: int) -> tuple[str, ...] | None:
    """Two named rows of one journal at two graves (not one number written two
    ways, not neighbouring planks), no note: one person reburied when the
    identity on its own is overwhelming. The full name with patronymic (on
    both rows, or on one row only: ``patronymic_on_one_row``; a namesake or
    a son of one name has another birth date), each part the same (one slip
    of the pen in one part at most: ``_parts_agree``), the **full birth
    date** on both rows (day, month,
    year), the **same death day** on both rows (two rows without a death day
    stay apart: a reburial has another burial day, nothing else ties them),
    no other sex, and two burial days (a body is not reburied the day it is
    buried: one day at two graves is two burials, or the next burial's name).
    Returns the rule's evidence (``full_identity``; the caller names the
    rule ``reburied_without_note``), or None. The caller asks, as for every
    ``_written_apart`` pair, that each row be the other's only such row and
    that neither row be another grave's body written under this name
    (``misnamed``: a name slipped onto another line carries that line's
    death day, and the other journal names the body at that grave)."""
    if not (f.has_patronymic[x] or f.has_patronymic[y]):
        return None
    both_patr = f.has_patronymic[x] and f.has_patronymic[y]
    agree = [_parts_agree(f, x, y, part) for part in (0, 1, 2)[: 2 + both_patr]]
    if any(a not in ("same", "close") for a in agree) or agree.count("close") > 1:
        return None
    bx, by = f.birth[x], f.birth[y]
    if bx is None or bx != by or f.birth_md[x] is None:
        return None
    dx, dy = f.death[x], f.death[y]
    if dx is None or dx != dy:
        return None
    ux, uy = f.burial[x], f.burial[y]
    if ux is None or uy is None or ux == uy:
        return None
    sx, sy = f.sex[x], f.sex[y]
    if sx and sy and sx != sy:
        return None
    return (
        ("given_name_slip",) * (agree[1] == "close")
        + ("full_identity",)
        + ("patronymic_on_one_row",) * (not both_patr)
    )


def _written_apart_pairs(f: _RowFacts) -> dict[tuple[int, int], tuple[str, ...]]:
    """The pairs ``_written_apart`` accepts, among rows of one journal with one
    death (or burial) day and one surname sound (``phonetic_key``), Latin
    surname key (``latin_key``: a row written in Latin) or given name."""
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, d in enumerate(f.death):
        if f.nameless[i] or f.mass[i]:
            continue
        keys = f.name_keys[i]
        # by the death day, and by the burial day (a death day may be missing)
        days = [f"d{d}" if d is not None else "", f"b{f.burial[i]}"]
        for day in days:
            if len(day) < 2 or day == "bNone":
                continue
            # the surname's sound, its Latin key (a row written in Latin), the
            # given name
            for key in (
                f"s:{f.surname_sound[i]}",
                f"l:{keys[0][1]}",
                f"g:{keys[1][0]}",
            ):
                if len(key) > 2:
                    groups[(f.source[i], day, key)].append(i)
    out: dict[tuple[int, int], tuple[str, ...]] = {}
    for members in groups.values():
        if len(members) < 2 or len(members) > 50:
            continue
        for pos, x in enumerate(members):
            for y in members[pos + 1 :]:
                pair = (min(x, y), max(x, y))
                if pair not in out:
                    why = _written_apart(f, x, y)
                    if why is not None:
                        out[pair] = why
    return out


#: At most this many rows of one journal are taken as one person written
#: again and again (``_apart_groups``).
MAX_WRITTEN_APART = 4


def _apart_groups(apart: Mapping[tuple[int, int], tuple[str, ...]]) -> list[list[int]]:
    """Rows of one journal that are one person written three (or four) times:
    the pairs ``_written_apart`` accepts form groups (connected rows); a group
    of three or more is taken when every two of its rows are such a pair
    (each row fits every other, and no row outside the group fits any of
    them) and no pair is two graves without a note (``full_identity``: one
    person is not reburied twice without a word). A father and son of one
    name with a third row that fits both are no such group: the father and
    the son do not fit each other."""
    adj: dict[int, set[int]] = defaultdict(set)
    for a, b in apart:
        adj[a].add(b)
        adj[b].add(a)
    seen: set[int] = set()
    out: list[list[int]] = []
    for start in sorted(adj):
        if start in seen:
            continue
        group, todo = [start], [start]
        seen.add(start)
        while todo:
            for nxt in adj[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    group.append(nxt)
                    todo.append(nxt)
        if not 3 <= len(group) <= MAX_WRITTEN_APART:
            continue
        group.sort()
        pairs = [(x, y) for k, x in enumerate(group) for y in group[k + 1 :]]
        if all(p in apart and "full_identity" not in apart[p] for p in pairs):
            out.append(group)
    return out


def _names_fit(f: _RowFacts, x: int, y: int) -> str | None:
    """Surname and given name of two named rows agree (``_parts_agree``: a
    variant, one slip of the pen, the given name's initial), or agree written
    in swapped order (surname in the given name's place: ``Ярослав Антонін``
    against ``Антонін Ярослав``, each part as before, one slip at most in
    all); and the patronymics agree when both rows have one. Returns
    ``"same"``, ``"swapped"`` or None."""
    sur, giv = _parts_agree(f, x, y, 0), _parts_agree(f, x, y, 1)
    how = "same" if sur in ("same", "close") and giv is not None else None
    if how is None:
        kx, ky = f.name_keys[x], f.name_keys[y]
        crossed = (_keys_agree(kx[0], ky[1]), _keys_agree(kx[1], ky[0]))
        if all(c in ("same", "close") for c in crossed) and crossed.count("close") <= 1:
            how = "swapped"
    if how is None:
        return None
    if f.has_patronymic[x] and f.has_patronymic[y] and _parts_agree(f, x, y, 2) is None:
        return None
    return how


def _agree_in_all_written(f: _RowFacts, x: int, y: int) -> str | None:
    """Two named rows of one journal (not at a mass grave) that agree in
    everything both write: the names (``_names_fit``), no other sex, the
    death day when both write one, the birth years when both write one (a
    date, a year or an age: they fit, or are one digit apart,
    ``_one_digit_off``; or both rows write the same age at death, and the
    row that also writes a birth year ten years off has that year as the
    slip: ``58`` on both rows, ``1953`` on one for a death in 2022). Burial
    days and grave numbers are not asked (a reburial, a corrected entry: the
    caller decides about two graves). Returns ``_names_fit``'s answer, or
    None."""
    if not _facts_agree(f, x, y):
        return None
    return _names_fit(f, x, y)


def _facts_agree(f: _RowFacts, x: int, y: int) -> bool:
    """``_agree_in_all_written`` without the names."""
    if f.nameless[x] or f.nameless[y] or f.mass[x] or f.mass[y]:
        return False
    sx, sy = f.sex[x], f.sex[y]
    if sx and sy and sx != sy:
        return False
    dx, dy = f.death[x], f.death[y]
    if dx is not None and dy is not None and dx != dy:
        return False
    bx, by = f.birth_years[x], f.birth_years[y]
    return (
        bx is None
        or by is None
        or (bx[0] <= by[1] and by[0] <= bx[1])
        or _one_digit_off(f, x, y)
        or (
            f.age[x] is not None
            and f.age[y] is not None
            and _age_at_death(f, x) is not None
            and _age_at_death(f, x) == _age_at_death(f, y)
        )
    )


def _surnames_through(f: _RowFacts, x: int, y: int, z: int) -> bool:
    """Two named rows of one journal whose surnames are each one slip of the
    pen (or a variant) from the surname of a row ``z`` of another journal but
    two slips from each other (``Лзвицич`` and ``Левиицч`` for ``Левицич``),
    with the whole of the rest agreeing: the given names agree between the two
    rows (not an initial) and with ``z``'s, the patronymics too when both rows
    have one, and the two rows write the same full birth date or the same
    death day (``_facts_agree`` asks the rest)."""
    if not _facts_agree(f, x, y) or f.nameless[z]:
        return False
    if _parts_agree(f, x, y, 1) not in ("same", "close"):
        return False
    if any(
        _parts_agree(f, w, z, p) not in ("same", "close")
        for w in (x, y)
        for p in (0, 1)
    ):
        return False
    if f.has_patronymic[x] and f.has_patronymic[y] and _parts_agree(f, x, y, 2) is None:
        return False
    same_birth = f.birth[x] is not None and f.birth[x] == f.birth[y]
    same_death = f.death[x] is not None and f.death[x] == f.death[y]
    return same_birth or same_death


def _link_twice_through(
    f: _RowFacts,
    uf: _Clusters,
    linked: Sequence[tuple[int, int, float]],
    weight: Mapping[tuple[int, int], float],
    min_weight: float,
    try_merge: Merge,
    allowed: set[tuple[int, int]],
    misnamed: Callable[[int], bool],
    at_grave: Mapping[str, list[int]],
    isolated: set[int],
) -> None:
    """One person written twice in one journal (a reburial, a corrected
    entry) whose two rows a row of another journal links, each pair at or
    above the threshold (``min_weight``) on its own: when the two rows agree
    in everything both write (``_agree_in_all_written``), they are one person
    even though their direct match weight is low (another burial day, another
    grave or none: what a reburial or a corrected entry changes). ``linked``:
    the pairs of two journals at or above the threshold that the greedy pass
    could not merge. Two rows of one journal at two graves (not one number
    written two ways; the neighbouring plank is two graves here) are merged
    only as a reburial: a row of one person and a row of the other, in any
    journal, have the whole identity (full name with patronymic, full birth
    date, death day: ``_reburied_without_note``) and no journal lists anyone
    else at either grave. Neither row may be another grave's body written
    under this name (``misnamed``: the next burial's name on its line). Each
    cluster must have one such partner only (a row that would fit two people
    is left for review). ``allowed``: the same-journal pairs ``try_merge``
    lets through (the rule adds its pairs)."""
    found: dict[
        tuple[int, int], tuple[int, int, list[tuple[int, int]], tuple[bool, bool, bool]]
    ] = {}
    for a, b, _ in linked:
        if a in isolated or b in isolated or f.source[a] == f.source[b]:
            continue
        if f.nameless[a] or f.nameless[b]:
            continue
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        key = (min(ra, rb), max(ra, rb))
        if key in found:
            continue
        both = uf.members[ra] + uf.members[rb]
        pairs = [
            (min(x, y), max(x, y))
            for x in uf.members[ra]
            for y in uf.members[rb]
            if f.source[x] == f.source[y]
        ]
        if not pairs:
            continue
        swapped = full = through = False
        for x, y in pairs:
            bridges = [
                z
                for z in both
                if f.source[z] != f.source[x]
                and weight.get((min(x, z), max(x, z)), -math.inf) >= min_weight
                and weight.get((min(y, z), max(y, z)), -math.inf) >= min_weight
            ]
            how = _agree_in_all_written(f, x, y)
            if how is None and any(_surnames_through(f, x, y, z) for z in bridges):
                how = "through"
            if how is None or not bridges:
                break
            swapped = swapped or how == "swapped"
            through = through or how == "through"
            if misnamed(x) or misnamed(y):
                break  # another grave's body written under this name
            gx, gy = f.grave[x], f.grave[y]
            if gx and gy and gx != gy and not _related_graves(f, x, y):
                if any(z not in both for g in (gx, gy) for z in at_grave.get(g, ())):
                    break
                # the whole identity between the two people's rows, in any
                # journal (``_reburied_without_note``)
                full = full or any(
                    _reburied_without_note(f, p, q) is not None
                    for p in uf.members[ra]
                    for q in uf.members[rb]
                )
                if not full:
                    break
        else:
            found[key] = (a, b, pairs, (swapped, full, through))
    partners = Counter(r for k in found for r in k)
    for (ra, rb), (a, b, pairs, (swapped, full, through)) in found.items():
        if partners[ra] != 1 or partners[rb] != 1:
            continue  # fits two people: a guess, left for review
        new = [k for k in pairs if k not in allowed]
        allowed.update(new)
        why: tuple[str, ...] = ("linked_to_both_rows",)
        why += ("agree_in_all_written",) * (not through)
        why += ("names_swapped",) * swapped + ("full_identity",) * full
        why += ("surnames_through_other_row",) * through  # the rest agrees
        if not try_merge(a, b, "twice_through_other_journal", why):
            allowed.difference_update(new)


# Two candidates whose match weights differ by less than this many bits (a
# factor of 4 in the odds) are treated as equally good: a nameless row with
# two such candidates in one journal is linked to neither (left for review).
AMBIGUITY_BITS = 2.0


def _nameless_duplicate(
    f: _RowFacts, x: int, y: int, per_journal: Mapping[str, Mapping[str, int]]
) -> bool:
    """Two nameless rows of one journal that are the same entry written twice:
    the same individual grave, the same burial day, no disagreeing death date
    or age, and no other journal lists more than one row at that grave (so
    the journals know of one body there)."""
    g = f.grave[x]
    if not (f.nameless[x] and f.nameless[y]) or g is None or g != f.grave[y]:
        return False
    if f.mass[x] or f.burial[x] is None or f.burial[x] != f.burial[y]:
        return False
    dx, dy = f.death[x], f.death[y]
    if dx is not None and dy is not None and dx != dy:
        return False
    ax, ay = f.age[x], f.age[y]
    if ax is not None and ay is not None and (ax[1] < ay[0] or ay[1] < ax[0]):
        return False
    return all(n <= 1 for s, n in per_journal.get(g, {}).items()
               if s != f.source[x])  # fmt: skip


def _nameless_written_twice(
    f: _RowFacts, x: int, y: int, same_days: Mapping[tuple[str, float, float], int]
) -> bool:
    """Two nameless rows of one journal, one with a note saying the entry is
    written twice (``уточнено дані``, ``перезахоронение``, ``повторно``), no
    other sex or age, and: at one individual grave, death days at most a day
    apart (the slip the correction fixes) and no other burial day; or, one
    row without a grave number, the same death and burial days, which no
    other nameless row of that journal has (``same_days``: nameless rows per
    journal, death and burial day)."""
    if not (f.nameless[x] and f.nameless[y]) or f.mass[x] or f.mass[y]:
        return False
    if not (f.twice_note[x] or f.twice_note[y]):
        return False
    if f.grave[x] is None or f.grave[y] is None:
        d, b = f.death[x], f.burial[x]
        if d is None or b is None or (d, b) != (f.death[y], f.burial[y]):
            return False
        if same_days.get((f.source[x], d, b), 0) != 2:
            return False
    elif f.grave[x] != f.grave[y]:
        return False
    dx, dy = f.death[x], f.death[y]
    if dx is not None and dy is not None and abs(dx - dy) > 1:
        return False
    bx, by = f.burial[x], f.burial[y]
    if bx is not None and by is not None and bx != by:
        return False
    if (dx is None or dy is None) and (bx is None or by is None):
        return False  # no day in common
    sx, sy = f.sex[x], f.sex[y]
    return not (sx and sy and sx != sy) and _ages_fit(f, x, y)


def _nameless_moved(f: _RowFacts) -> list[tuple[int, int]]:
    """Nameless bodies buried temporarily and reburied, written by one
    journal twice: for one death day, the journal's only nameless row with a
    temporary-burial note (``временно во дворе``) and its only nameless row
    with a reburial note (``перезахоронение``), buried later, of no other sex
    or age. Their burial days and graves differ, so no rule brings them
    together to be scored."""
    groups: dict[tuple[str, float], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for i, (n, d, kind) in enumerate(zip(f.nameless, f.death, f.twice_note,
                                         strict=True)):  # fmt: skip
        if n and d is not None and kind in ("temporary", "reburial"):
            groups[(f.source[i], d)][kind].append(i)
    out = []
    for kinds in groups.values():
        temp, moved = kinds.get("temporary", []), kinds.get("reburial", [])
        if len(temp) != 1 or len(moved) != 1:
            continue
        x, y = temp[0], moved[0]
        bx, by = f.burial[x], f.burial[y]
        if bx is None or by is None or not bx < by or f.mass[y]:
            continue
        sx, sy = f.sex[x], f.sex[y]
        if not (sx and sy and sx != sy) and _ages_fit(f, x, y):
            out.append((min(x, y), max(x, y)))
    return out


def _as_good_in_mass_grave(f: _RowFacts, x: int, y: int, c: int) -> bool:
    """Rows ``y`` and ``c`` of one journal, nameless, at x's mass grave,
    where ``c`` fits the nameless row ``x`` as well as ``y`` does: nothing of
    ``c`` disagrees with ``x`` (burial day, death day, age, sex) and ``y``
    adds only what ``c`` leaves unwritten (a death day, an age estimate that
    happens to fit). Which of two such soldiers ``x`` is, is a guess that the
    match weight (a written age against an unwritten one) does not make."""
    if not (f.mass[x] and f.nameless[x] and f.nameless[y] and f.nameless[c]):
        return False
    if f.grave[c] != f.grave[x] or f.grave[y] != f.grave[x]:
        return False
    if f.burial[c] is None or f.burial[c] != f.burial[x]:
        return False
    for a, b in ((f.death[x], f.death[c]),):
        if a is not None and b is not None and a != b:
            return False
    if not _ages_fit(f, x, c):
        return False
    return not (f.sex[x] and f.sex[c] and f.sex[x] != f.sex[c])


def _related_graves(f: _RowFacts, x: int, y: int) -> bool:
    """Grave numbers that can be one grave written two ways: a lost suffix
    (339а/339) or transposed digits (36/63). Not the neighbouring plank: one
    name on two neighbouring graves of one journal is as often the next
    burial's name written on the wrong grave (two bodies)."""
    return (f.grave_num[x] is not None and f.grave_num[x] == f.grave_num[y]) or (
        f.grave_anag[x] is not None and f.grave_anag[x] == f.grave_anag[y]
    )


def _form_clusters(
    n: int,
    edges: pd.DataFrame,
    facts: _RowFacts,
    *,
    threshold: float,
    strong_weight: float,
    must: list[tuple[int, int]],
    cannot: set[tuple[int, int]],
    isolated: set[int],
    ambiguity_bits: float = AMBIGUITY_BITS,
) -> _Clusters:
    source, grave = facts.source, facts.grave
    unnamed, mass = facts.nameless, facts.mass
    per_journal: dict[str, Counter[str]] = defaultdict(
        Counter
    )  # grave -> journal -> rows
    at_grave: dict[str, list[int]] = defaultdict(list)
    for i, (s_, g_) in enumerate(zip(source, grave, strict=True)):
        if g_:
            per_journal[g_][s_] += 1
            at_grave[g_].append(i)
    ids_l = edges["unique_id_l"].to_numpy()
    ids_r = edges["unique_id_r"].to_numpy()
    ws = edges["match_weight"].to_numpy()
    weak = {
        (min(int(a), int(b)), max(int(a), int(b)))
        for a, b, d in zip(ids_l, ids_r, edges["mw_death_date"].to_numpy(),
                           strict=True)
        if not d > 0 and unnamed[int(a)] and unnamed[int(b)]
    }  # fmt: skip
    uf = _Clusters(n)
    for a, b in must:
        uf.union(a, b, DECISION)
    weight: dict[tuple[int, int], float] = {}
    # per pair: the grave comparison's weight, and whether surname and given
    # name agree (at some level better than "else")
    grave_w: dict[tuple[int, int], float] = {}
    names_agree: set[tuple[int, int]] = set()

    def col(name: str) -> list[float]:
        return edges[name].tolist() if name in edges else [0.0] * len(edges)

    # pairs of one journal that are one person written twice
    twice: list[tuple[int, int, float, str]] = []
    same_days = Counter(
        (s_, d_, b_)
        for s_, n_, d_, b_ in zip(source, unnamed, facts.death, facts.burial,
                                  strict=True)
        if n_ and d_ is not None and b_ is not None
    )  # fmt: skip
    for a, b, wg, wsur, wgiv, wpat, w in zip(
        ids_l.tolist(), ids_r.tolist(), col("mw_grave"), col("mw_surname"),
        col("mw_given"), col("mw_patronymic"), ws.tolist(), strict=True,
    ):  # fmt: skip
        k = (min(a, b), max(a, b))
        grave_w[k] = wg
        if wsur > 0 and wgiv > 0:
            names_agree.add(k)
            if source[a] == source[b] and _written_twice(facts, a, b, wsur, wgiv,
                                                         wpat):  # fmt: skip
                twice.append((k[0], k[1], w, "written_twice"))
        elif source[a] == source[b] and _nameless_written_twice(facts, a, b,
                                                                same_days):  # fmt: skip
            twice.append((k[0], k[1], w, "nameless_written_twice"))
    twice += [(a, b, -math.inf, "nameless_moved") for a, b in _nameless_moved(facts)]
    twice_why: dict[tuple[int, int], tuple[str, ...]] = {}
    # written twice at no common grave number, with or without a note: each
    # row the other's only such row in its journal (see ``_written_apart``)
    apart = _written_apart_pairs(facts)
    apart_of: Counter[int] = Counter(x for k in apart for x in k)
    written_twice = {(a, b) for a, b, _, _ in twice}
    # candidates of nameless rows, for the ambiguity check
    adj: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b, w in zip(ids_l.tolist(), ids_r.tolist(), ws.tolist(), strict=True):
        weight[(min(a, b), max(a, b))] = w
        if unnamed[a] or unnamed[b]:
            adj[a].append((b, w))
            adj[b].append((a, w))

    def ambiguous(a: int, b: int, w: float) -> bool:
        """Another free row of b's journal is about as good a match for a
        (or of a's journal for b)."""
        ra, rb = uf.find(a), uf.find(b)
        for x, y in ((a, b), (b, a)):
            for c, wc in adj.get(x, ()):
                if c == y or source[c] != source[y]:
                    continue
                if wc < w - ambiguity_bits and not _as_good_in_mass_grave(
                    facts, x, y, c
                ):
                    continue
                if facts.sex[c] and facts.sex[x] and facts.sex[c] != facts.sex[x]:
                    continue  # not a candidate for x
                rc = uf.find(c)
                if rc in (ra, rb):
                    continue
                if any(source[m] == source[x] for m in uf.members[rc]):
                    continue  # c already has its counterpart in x's journal
                return True
        return False

    def misnamed(x: int) -> bool:
        """A named row alone in its journal at an individual grave where
        another journal names someone else: as likely the body there written
        under another burial's name (the next grave's) as a second entry."""
        g = grave[x]
        if g is None or mass[x] or unnamed[x] or per_journal[g][source[x]] != 1:
            return False
        return any(
            source[z] != source[x]
            and not unnamed[z]
            and (min(x, z), max(x, z)) not in names_agree
            # a name a slip of the pen or a uk/ru spelling away is no one else
            and _names_fit(facts, x, z) is None
            for z in at_grave[g]
        )

    probs = edges["match_probability"].to_numpy()
    keep = probs >= threshold
    order = sorted(
        zip(ids_l[keep].tolist(), ids_r[keep].tolist(), ws[keep].tolist(),
            strict=True),
        key=lambda t: (-t[2], min(t[0], t[1]), max(t[0], t[1])),
    )  # fmt: skip

    half = strong_weight / 2

    def corroborated(x: int, y: int, direct: float | None, both: list[int]) -> bool:
        """Two named rows of one journal (a reburial, a corrected entry) whose
        direct evidence is good (>= half the strong weight) and that a row of
        another journal links to both with such weight."""
        key = (min(x, y), max(x, y))
        if direct is None or direct < half or key not in names_agree:
            return False
        if mass[x] or mass[y]:
            return False
        return any(
            source[z] != source[x]
            and weight.get((min(x, z), max(x, z)), -math.inf) >= half
            and weight.get((min(y, z), max(y, z)), -math.inf) >= half
            for z in both
        )

    sex = facts.sex

    def try_merge(
        a: int, b: int, rule: str = SPLINK, why: tuple[str, ...] = ()
    ) -> bool:
        """Join a's and b's clusters if every constraint allows; the link
        (a, b) is recorded with ``rule`` (a key of ``RULES``) and ``why``
        (the rule's own evidence, keys of ``EVIDENCE``)."""
        # two journals' rows whose death days no slip explains are two
        # deaths (``_deaths_apart``). Asked of the linked pair itself: a row
        # of the cluster with another day is left to ``_split_slipped_lines``
        if source[a] != source[b] and _deaths_apart(facts, a, b):
            return False
        ra, rb = uf.find(a), uf.find(b)
        both = uf.members[ra] + uf.members[rb]
        for x in uf.members[ra]:
            for y in uf.members[rb]:
                key = (min(x, y), max(x, y))
                if key in cannot:
                    return False
                # born decades apart: two people (father and son), whoever
                # links them (a human must-link is made before, directly)
                if _born_apart(facts, x, y):
                    return False
                # a nameless woman and a man ("невідома", "Неизвестный
                # мужчина", the patronymic's ending) are two people; between
                # two named rows the names speak (a row may carry the next
                # burial's name, see ``misnamed``)
                if (sex[x] and sex[y] and sex[x] != sex[y]
                        and (unnamed[x] or unnamed[y])):  # fmt: skip
                    return False
                if source[x] != source[y]:
                    continue
                # same journal: only with direct, strong evidence, and never at
                # two different graves unless very strong; or a nameless entry
                # written twice
                if _nameless_duplicate(facts, x, y, per_journal):
                    continue
                if key in written_twice:
                    continue
                # one journal giving two death days is two deaths (or one
                # body under another's name), not one entry written twice
                dx, dy = facts.death[x], facts.death[y]
                if dx is not None and dy is not None and dx != dy:
                    return False
                direct = weight.get(key)
                gx, gy = grave[x], grave[y]
                # within one journal a neighbouring plank is no evidence (one
                # name on two neighbouring graves is as often the next
                # burial's name written on the wrong grave)
                bonus = max(grave_w.get(key, 0.0), 0.0)
                if gx and gy and gx != gy and not _related_graves(facts, x, y):
                    if (direct or 0.0) - bonus < strong_weight + 10:
                        return False
                    if misnamed(x) or misnamed(y):
                        return False
                if corroborated(x, y, direct, both):
                    continue
                if direct is None or direct < strong_weight:
                    return False
        uf.union(a, b, rule, why)
        return True

    for (a, b), why in apart.items():
        if (a, b) in written_twice or apart_of[a] != 1 or apart_of[b] != 1:
            continue
        if misnamed(a) or misnamed(b):
            continue  # another grave's body written under this name
        rule = "reburied_without_note" if "full_identity" in why else "written_apart"
        twice.append((a, b, weight.get((a, b), -math.inf), rule))
        twice_why[(a, b)] = ("names_agree", "only_candidate", *why)
        written_twice.add((a, b))
    # one person written three times: rows that each fit every other, and no
    # other row of the journal (``_apart_groups``)
    for group in _apart_groups(apart):
        if any(misnamed(x) for x in group):
            continue
        for a, b in ((x, y) for k, x in enumerate(group) for y in group[k + 1 :]):
            twice.append((a, b, weight.get((a, b), -math.inf), "written_apart"))
            twice_why[(a, b)] = ("names_agree", "only_group", *apart[(a, b)])
            written_twice.add((a, b))
    # a journal's own entries written twice first: the other journals' rows
    # then join the pair, not one row of it each
    for a, b, _, rule in sorted(twice, key=lambda t: (-t[2], t[0], t[1])):
        if a not in isolated and b not in isolated:
            why = ("names_agree",) if rule == "written_twice" else ()
            try_merge(a, b, rule, twice_why.get((a, b), why))
    deferred: list[tuple[int, int, float]] = []
    for a, b, w in order:
        if a in isolated or b in isolated:
            continue
        if unnamed[a] and unnamed[b] and mass[a] and (min(a, b), max(a, b)) in weak:
            continue  # nameless rows in a mass grave need an agreeing death date
        if uf.find(a) == uf.find(b):
            continue
        if (unnamed[a] or unnamed[b]) and source[a] != source[b] and ambiguous(a, b, w):
            deferred.append((a, b, w))
            continue
        try_merge(a, b)
    # An ambiguity can resolve once other rows are placed (e.g. the two
    # candidates turn out to be one entry written twice): retry until stable.
    changed = True
    while changed and deferred:
        changed = False
        rest = []
        for a, b, w in deferred:
            if uf.find(a) == uf.find(b):
                continue
            if ambiguous(a, b, w):
                rest.append((a, b, w))
            elif try_merge(a, b):
                changed = True
        deferred = rest
    # one person written twice in one journal, both rows linked to a row of
    # another journal at or above the threshold (``_link_twice_through``)
    refused = [(a, b, w) for a, b, w in order if uf.find(a) != uf.find(b)]
    _link_twice_through(
        facts, uf, refused, weight, math.log2(threshold / (1 - threshold))
        if 0 < threshold < 1 else 0.0, try_merge, written_twice, misnamed,
        at_grave, isolated,
    )  # fmt: skip
    uf, relink = _split_slipped_lines(
        facts, uf, names_agree, {x for m in must for x in m}
    )
    for line, row in relink:
        try_merge(line, row, "slipped_line", ("neighbouring_line_slipped",))
    _link_lone_nameless(facts, uf, weight, try_merge, isolated)
    _link_nameless_at_grave(facts, uf, try_merge, isolated)
    _link_nameless_between_neighbours(facts, uf, weight, try_merge, isolated)
    _link_nameless_at_taken_number(facts, uf, try_merge, isolated)
    _link_last_nameless_at_mass_grave(facts, uf, try_merge, isolated)
    return uf


def _journal_order(
    f: _RowFacts,
) -> tuple[dict[str, list[int]], dict[int, int], dict[str, list[int]]]:
    """Per journal its rows in journal order, each row's position, and the
    row numbers in that order (for bisecting)."""
    order: dict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(f.row)), key=lambda i: f.row[i]):
        order[f.source[i]].append(i)
    pos = {i: k for rows in order.values() for k, i in enumerate(rows)}
    numbers = {s: [f.row[i] for i in rows] for s, rows in order.items()}
    return order, pos, numbers


def _split_slipped_lines(
    f: _RowFacts,
    uf: _Clusters,
    names_agree: set[tuple[int, int]],
    pinned: set[int],
) -> tuple[_Clusters, list[tuple[int, int]]]:
    """A name written on two neighbouring lines of one journal is one entry
    written twice, or the next burial's name slipped onto this line. It
    slipped when another journal has, at that line's place (between the
    counterparts of the lines around the two), an entry of someone else
    linked to no row of this journal, with that line's burial day and no
    disagreeing death day: that entry's body is the one the line records.
    The line is taken out of the cluster (left for review); when the other
    line was left out of it (two death days), that one is returned with a
    row of the cluster to link (``try_merge``). ``pinned``: rows a person
    linked, never taken out."""
    order, pos, numbers = _journal_order(f)
    slipped: set[int] = set()
    relink: list[tuple[int, int]] = []

    def counterpart(i: int, other: str, cluster: int) -> int | None:
        root = uf.find(i)
        if root == cluster:
            return None
        rows = [f.row[m] for m in uf.members[root] if f.source[m] == other]
        return rows[0] if len(rows) == 1 else None

    def span(a: int, b: int, other: str, cluster: int) -> tuple[int, int] | None:
        rows = order[f.source[a]]
        lo = hi = None
        for step in range(1, NEIGHBOUR_WINDOW + 1):
            k, j = pos[a] - step, pos[b] + step
            if lo is None and k >= 0:
                lo = counterpart(rows[k], other, cluster)
            if hi is None and j < len(rows):
                hi = counterpart(rows[j], other, cluster)
            if lo is not None and hi is not None:
                return (lo, hi) if lo < hi else None
        return None

    def fits(x: int, z: int) -> bool:
        dx, dz = f.death[x], f.death[z]
        return (
            f.burial[x] is not None
            and f.burial[x] == f.burial[z]
            and (dx is None or dz is None or dx == dz)
        )

    def slipped_line(a: int, b: int, members: list[int], root: int) -> int | None:
        """Which of the neighbouring lines ``a``, ``b`` (in that order) slipped,
        if another journal of the cluster shows it."""
        src = f.source[a]
        for other in order:
            theirs = [f.row[m] for m in members if f.source[m] == other]
            if other == src or not theirs:
                continue
            found = span(a, b, other, root)
            if found is None:
                continue
            lo = bisect.bisect_right(numbers[other], found[0])
            hi = bisect.bisect_left(numbers[other], found[1])
            free = [z for z in order[other][lo:hi]
                    if not f.nameless[z] and len(uf.members[uf.find(z)]) == 1]  # fmt: skip
            # the line at that entry's place: the first of the two when the
            # entry comes before this person's row in the other journal, the
            # second when after
            fit = {
                a if f.row[z] < min(theirs) else b
                for z in free
                if f.row[z] < min(theirs) or f.row[z] > max(theirs)
            }
            fit = {x for x in fit if any(fits(x, z) for z in free)}
            if len(fit) == 1:
                return fit.pop()
        return None

    def same_name(a: int, b: int) -> bool:
        return (
            not (f.nameless[a] or f.nameless[b])
            and (min(a, b), max(a, b)) in names_agree
        )

    for root, members in list(uf.members.items()):
        if len(members) < 2:
            continue
        by_journal: dict[str, list[int]] = defaultdict(list)
        for m in members:
            by_journal[f.source[m]].append(m)
        for src, own in by_journal.items():
            rows = order[src]
            own.sort(key=lambda i: pos[i])
            # two neighbouring lines in the cluster
            for a, b in zip(own, own[1:], strict=False):
                if pos[b] - pos[a] == 1 and same_name(a, b):
                    x = slipped_line(a, b, members, root)
                    if x is not None and x not in pinned:
                        slipped.add(x)
                        break
            # a line in the cluster and its neighbour left alone (the two
            # death days kept them apart): the neighbour is the person's
            # line when the one in the cluster slipped
            for m in own:
                for k in (pos[m] - 1, pos[m] + 1):
                    if not 0 <= k < len(rows) or m in slipped or m in pinned:
                        continue
                    n = rows[k]
                    if len(uf.members[uf.find(n)]) != 1 or not same_name(m, n):
                        continue
                    a, b = (m, n) if k > pos[m] else (n, m)
                    if slipped_line(a, b, members, root) == m:
                        slipped.add(m)
                        rest = [r for r in members if r != m]
                        relink.append((n, rest[0]))
    if not slipped:
        return uf, []
    out = _Clusters(len(f.row))
    for a, b, rule, why in uf.links:
        if a not in slipped and b not in slipped:
            out.union(a, b, rule, why)
    # rows that were linked only through a slipped line stay together
    for members in uf.members.values():
        rest = [m for m in members if m not in slipped]
        for m in rest[1:]:
            out.union(rest[0], m, "linked_through_slipped_line")
    return out, relink


def _dates_fit(f: _RowFacts, x: int, y: int) -> bool:
    """The same burial day, and no disagreeing sex, death day, age or birth
    year (an age against a birth date: the years it allows)."""
    if f.burial[x] is None or f.burial[x] != f.burial[y] or _other_sex(f, x, y):
        return False
    dx, dy = f.death[x], f.death[y]
    if dx is not None and dy is not None and dx != dy:
        return False
    ax, ay = f.age[x], f.age[y]
    if ax is not None and ay is not None and (ax[1] < ay[0] or ay[1] < ax[0]):
        return False
    yx, yy = f.birth_years[x], f.birth_years[y]
    return yx is None or yy is None or not (yx[1] < yy[0] or yy[1] < yx[0])


# How far to look for the linked rows around a nameless row (rows of one
# journal, in its order).
NEIGHBOUR_WINDOW = 30
# How many linked rows out of the other journal's order (entries written again
# later) may be stepped over on each side of a row.
NEIGHBOUR_SKIP = 2


def _link_nameless_between_neighbours(
    f: _RowFacts,
    uf: _Clusters,
    weight: Mapping[tuple[int, int], float],
    try_merge: Merge,
    isolated: set[int],
) -> None:
    """A nameless row left alone, and the one nameless row of another journal
    that sits between the same two linked neighbours (journals are written in
    burial order: the entry between the rows of two known people) with the
    same burial day. Many nameless rows share their dates in a large
    register; their place in the journals does not."""
    order: dict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(f.row)), key=lambda i: f.row[i]):
        order[f.source[i]].append(i)
    pos = {i: k for rows in order.values() for k, i in enumerate(rows)}
    numbers = {s: [f.row[i] for i in rows] for s, rows in order.items()}

    def free(i: int) -> bool:
        """Linked to no other row (named or not)."""
        return i not in isolated and len(uf.members[uf.find(i)]) == 1

    def alone(i: int) -> bool:
        return f.nameless[i] and free(i)

    def counterpart(i: int, other: str) -> int | None:
        """The row number in ``other`` of the row linked to ``i``, if one."""
        rows = [f.row[m] for m in uf.members[uf.find(i)] if f.source[m] == other]
        return rows[0] if len(rows) == 1 else None

    def neighbours(x: int, other: str) -> tuple[int, int, int, int] | None:
        """Positions in x's journal of its nearest linked rows before and
        after, and their counterparts' row numbers in ``other``, in the same
        order there. A linked row whose counterpart is out of that order (an
        entry written again later, a corrected entry) is stepped over: up to
        ``NEIGHBOUR_SKIP`` rows on each side, fewest first."""
        rows, k = order[f.source[x]], pos[x]
        before: list[tuple[int, int]] = []  # (position, counterpart), nearest first
        after: list[tuple[int, int]] = []
        for step in range(1, NEIGHBOUR_WINDOW + 1):
            for side, kk in ((before, k - step), (after, k + step)):
                if len(side) <= NEIGHBOUR_SKIP and 0 <= kk < len(rows):
                    c = counterpart(rows[kk], other)
                    if c is not None:
                        side.append((kk, c))
            if len(before) > NEIGHBOUR_SKIP and len(after) > NEIGHBOUR_SKIP:
                break
        pairs = sorted(
            (i + j, i, (klo, khi, lo, hi))
            for i, (klo, lo) in enumerate(before)
            for j, (khi, hi) in enumerate(after)
            if lo < hi
        )
        return pairs[0][2] if pairs else None

    def bounds(x: int, other: str) -> tuple[int, int] | None:
        found = neighbours(x, other)
        return None if found is None else (found[2], found[3])

    def fits(x: int, y: int) -> bool:
        return _dates_fit(f, x, y) and not (
            f.grave[x] and f.grave[y] and f.grave[x] != f.grave[y]
            and not _related_graves(f, x, y)
        )  # fmt: skip

    def candidates(x: int, other: str) -> list[int]:
        span = bounds(x, other)
        if span is None:
            return []
        lo = bisect.bisect_right(numbers[other], span[0])
        hi = bisect.bisect_left(numbers[other], span[1])
        return [y for y in order[other][lo:hi] if free(y) and fits(x, y)]

    for x in [i for i in range(len(f.row)) if alone(i)]:
        if not alone(x):
            continue
        for other in order:
            if other == f.source[x]:
                continue
            ys = candidates(x, other)
            if len(ys) != 1:
                continue
            y = ys[0]
            if (min(x, y), max(x, y)) in weight and candidates(y, f.source[x]) == [x]:
                try_merge(x, y, "between_neighbours",
                          ("between_linked_rows", "only_candidate"))  # fmt: skip
                break
    # Several nameless rows of one burial day between the same two linked
    # rows, as many in each journal: the n-th with the n-th, when each pair's
    # dates and graves fit (a mass grave's bodies, written in the same order).
    for x in [i for i in range(len(f.row)) if alone(i)]:
        if not alone(x):
            continue
        for other in order:
            if other == f.source[x]:
                continue
            found = neighbours(x, other)
            if found is None:
                continue
            klo, khi, lo, hi = found
            own = [z for z in order[f.source[x]][klo + 1 : khi]
                   if alone(z) and f.burial[z] == f.burial[x]]  # fmt: skip
            a = bisect.bisect_right(numbers[other], lo)
            b = bisect.bisect_left(numbers[other], hi)
            theirs = [y for y in order[other][a:b]
                      if alone(y) and f.burial[y] == f.burial[x]]  # fmt: skip
            if len(own) < 2 or len(own) != len(theirs):
                continue
            pairs = list(zip(own, theirs, strict=True))
            if all(fits(u, v) and (min(u, v), max(u, v)) in weight for u, v in pairs):
                for u, v in pairs:
                    try_merge(u, v, "between_neighbours_in_order",
                              ("between_linked_rows", "same_order"))  # fmt: skip
                break


def _link_lone_nameless(
    f: _RowFacts,
    uf: _Clusters,
    weight: Mapping[tuple[int, int], float],
    try_merge: Merge,
    isolated: set[int],
) -> None:
    """Two nameless rows of two journals, at least one without a grave number
    (or at graves that are one number written two ways), that share a death
    day and a burial day no other nameless row has: the only body those
    journals record with those dates. The dates alone score below the
    threshold (many bodies share a burial day); that no other nameless row
    shares both is what the score does not see."""
    groups: dict[tuple[float, float], list[int]] = defaultdict(list)
    for i, (nameless, d, b) in enumerate(zip(f.nameless, f.death, f.burial,
                                             strict=True)):  # fmt: skip
        if nameless and d is not None and b is not None:
            groups[(d, b)].append(i)
    for members in groups.values():
        if len(members) != 2:
            continue
        x, y = members
        key = (min(x, y), max(x, y))
        if f.source[x] == f.source[y] or key not in weight:
            continue
        if x in isolated or y in isolated or uf.find(x) == uf.find(y):
            continue
        if f.grave[x] and f.grave[y] and not _related_graves(f, x, y):
            continue
        ax, ay = f.age[x], f.age[y]
        if ax is not None and ay is not None and (ax[1] < ay[0] or ay[1] < ax[0]):
            continue
        if len(uf.members[uf.find(x)]) > 1 or len(uf.members[uf.find(y)]) > 1:
            continue  # already linked to a row of its own
        try_merge(x, y, "lone_nameless", ("unique_dates",))


def _ages_fit(f: _RowFacts, x: int, y: int, slack: int = 5) -> bool:
    """No disagreeing ages: an unknown body's age is an estimate (~50)."""
    ax, ay = f.age[x], f.age[y]
    return (
        ax is None or ay is None
        or (ax[0] - slack <= ay[1] and ay[0] - slack <= ax[1])
    )  # fmt: skip


def _link_nameless_at_grave(
    f: _RowFacts,
    uf: _Clusters,
    try_merge: Merge,
    isolated: set[int],
) -> None:
    """Two nameless rows of two journals left alone at one individual grave
    (or the grave written two ways), with the same death or burial day, no
    disagreeing date, sex or age, each the other's only such row: the body in
    that grave. At the neighbouring plank (``369``/``370``) only when both
    days agree, the age or the sex agrees too, and neither journal has a row
    left unlinked at the other's number (the plank was read off the next
    grave; a row there already linked is someone else). Many
    bodies share a burial day; the grave number is what tells them apart,
    which the match weight alone (grave and one date, below the threshold)
    does not make enough of."""
    by_number: dict[str, list[int]] = defaultdict(list)
    all_at: dict[str, list[int]] = defaultdict(list)  # every row at a number
    rows_at: Counter[tuple[str, str | None]] = Counter()
    for i, g in enumerate(f.grave):
        if g is None or f.mass[i]:
            continue
        rows_at[(f.source[i], g)] += 1
        all_at[f.grave_num[i] or g].append(i)
        if f.nameless[i] and i not in isolated:
            by_number[f.grave_num[i] or g].append(i)

    def alone(i: int) -> bool:
        return len(uf.members[uf.find(i)]) == 1

    def unexplained(number: str, source: str, body: int) -> bool:
        """A row of ``source`` at ``number`` not yet linked to anyone: it may
        be the nameless ``body`` the other journal has there. Not a row of
        the other sex (``Харчова`` cannot be a nameless man), nor one whose
        birth years the body's age rules out."""
        return any(
            f.source[i] == source and alone(i) and could_be(i, body)
            for i in all_at.get(number, ())
        )

    def could_be(i: int, body: int) -> bool:
        si, sb = f.sex[i], f.sex[body]
        if si and sb and si != sb:
            return False
        yi, yb = f.birth_years[i], f.birth_years[body]
        slack = 5  # an unknown body's age is an estimate
        return yi is None or yb is None or (
            yi[0] - slack <= yb[1] and yb[0] - slack <= yi[1]
        )  # fmt: skip

    def dates(x: int, y: int) -> int | None:
        """How many of death and burial day agree; None if one disagrees."""
        agree = 0
        for a, b in ((f.death[x], f.death[y]), (f.burial[x], f.burial[y])):
            if a is not None and b is not None:
                if a != b:
                    return None
                agree += 1
        return agree

    def neighbour_key(k: str, step: int) -> str | None:
        return str(int(k) + step) if k.isdigit() and int(k) + step > 0 else None

    def only_row(i: int) -> bool:
        """The only row of its journal at its grave."""
        return rows_at[(f.source[i], f.grave[i])] == 1

    def candidates(x: int) -> list[int]:
        k = f.grave_num[x] or f.grave[x]
        if k is None:
            return []
        out = []
        for y in by_number.get(k, ()):
            if not (f.source[y] != f.source[x] and alone(y) and f.grave[x]
                    and f.grave[y] and fits(x, y)
                    and (f.grave[x] == f.grave[y] or _related_graves(f, x, y))):  # fmt: skip
                continue
            agree = dates(x, y)
            # one agreeing day, or none written when each journal has only
            # this row at that grave (the journals know of one body there)
            if agree is not None and (
                agree >= 1 or (f.grave[x] == f.grave[y] and only_row(x)
                               and only_row(y))
            ):  # fmt: skip
                out.append(y)
        rivals = 0  # other rows nearby that fit as well (a guess between them)
        for step in (-1, 1):
            nk = neighbour_key(k, step)
            if nk is None:
                continue
            for y in by_number.get(nk, ()):
                if f.source[y] == f.source[x] or not alone(y):
                    continue
                agree = dates(x, y)
                if not fits(x, y) or not agree:
                    continue
                if unexplained(k, f.source[y], x) or unexplained(nk, f.source[x], y):
                    rivals += 1
                    continue
                # at least three facts agree: days, the age, the sex
                agree += f.age[x] is not None and f.age[y] is not None
                agree += bool(f.sex[x] and f.sex[y])
                if agree >= 3:
                    out.append(y)
                else:
                    rivals += 1
        return out if not rivals else []  # several fit: a guess, left for review

    def fits(x: int, y: int) -> bool:
        sx, sy = f.sex[x], f.sex[y]
        return not (sx and sy and sx != sy) and _ages_fit(f, x, y)

    for rows in list(by_number.values()):
        for x in rows:
            if not alone(x):
                continue
            ys = candidates(x)
            if len(ys) == 1 and candidates(ys[0]) == [x]:
                why: tuple[str, ...] = ("only_candidate",)
                if f.grave[x] == f.grave[ys[0]] and only_row(x) and only_row(ys[0]):
                    why += ("one_body_at_grave",)
                try_merge(x, ys[0], "nameless_at_grave", why)


def _link_nameless_at_taken_number(
    f: _RowFacts,
    uf: _Clusters,
    try_merge: Merge,
    isolated: set[int],
) -> None:
    """A row left alone at an individual grave that is another body's (the
    other journal's row at that number is linked to another row of this
    journal there, or was buried on another day, died on another day or is of
    the other sex), and the one row of another journal left alone at the
    neighbouring plank (``69``/``70``), one of the two nameless, with the same
    burial day and no disagreeing death day, sex or age: the row was written
    one plank off. Each must be the other's only such row: a row of the other
    journal left alone at the row's own number, or (nameless) at no number,
    that could be the body, or a second row at a plank, makes it a guess (left
    for review). Two nameless bodies at neighbouring graves, each written by
    one journal only, stay apart: neither journal has a row at the other's
    number."""
    at: dict[str, list[int]] = defaultdict(list)  # digits-only individual graves
    no_number: dict[float, list[int]] = defaultdict(list)  # by burial day
    for i, g in enumerate(f.grave):
        if i in isolated or f.mass[i]:
            continue
        if g is None:
            day = f.burial[i]
            if day is not None and f.nameless[i]:
                no_number[day].append(i)
        elif g.isdigit():
            at[g].append(i)

    def alone(i: int) -> bool:
        return len(uf.members[uf.find(i)]) == 1

    def other_body(i: int, w: int) -> bool:
        """Row ``w`` (another journal, at i's number) is another body than
        i: it is linked to a row of i's journal at that number; or, i
        nameless, it was buried or died on another day, or is a nameless row
        of the other sex. (A named row's name, and so its sex, may be another
        burial's; a named ``i`` may be the body there under another burial's
        name, ``misnamed``: for it only the link counts.)"""
        if any(z != i and f.source[z] == f.source[i] and f.grave[z] == f.grave[i]
               for z in uf.members[uf.find(w)]):  # fmt: skip
            return True
        if not f.nameless[i]:
            return False
        for a, b in ((f.burial[i], f.burial[w]), (f.death[i], f.death[w])):
            if a is not None and b is not None and a != b:
                return True
        return bool(f.nameless[w] and f.sex[i] and f.sex[w] and f.sex[i] != f.sex[w])

    def taken(i: int) -> bool:
        """The grave at i's number is another body's, by another journal."""
        return any(
            f.source[w] != f.source[i] and other_body(i, w)
            for w in at.get(f.grave[i] or "", ())
        )

    def fits(x: int, y: int) -> bool:
        """The same burial day; no other death day, sex or birth years (an
        unknown body's age is an estimate: 5 years' slack)."""
        if f.burial[x] is None or f.burial[x] != f.burial[y]:
            return False
        dx, dy = f.death[x], f.death[y]
        if dx is not None and dy is not None and dx != dy:
            return False
        sx, sy = f.sex[x], f.sex[y]
        if sx and sy and sx != sy:
            return False
        yx, yy = f.birth_years[x], f.birth_years[y]
        return yx is None or yy is None or (
            yx[0] - 5 <= yy[1] and yy[0] - 5 <= yx[1]
        )  # fmt: skip

    def planks(g: str) -> list[str]:
        n = int(g)
        return [str(n + step) for step in (-1, 1) if n + step > 0]

    def rows_for(x: int) -> list[int]:
        """Rows of other journals that may be x's body: at the neighbouring
        planks (not at another body's grave themselves; x or the row
        nameless), and as rivals at x's own number or at no number."""
        g, s = f.grave[x] or "", f.source[x]
        out = [y for k in planks(g) for y in at.get(k, ())
               if f.source[y] != s and alone(y) and (f.nameless[x] or f.nameless[y])
               and fits(x, y) and not taken(y)]  # fmt: skip
        out += [y for y in at.get(g, ()) if f.source[y] != s and alone(y)
                and fits(x, y)]  # fmt: skip
        out += [y for y in no_number.get(f.burial[x] or -1.0, ())
                if f.source[y] != s and alone(y) and fits(x, y)]  # fmt: skip
        return out

    def rows_of(y: int, source: str) -> list[int]:
        """Rows of ``source`` that may be y's: at a neighbouring plank that
        is another body's grave, and as rivals at y's own number."""
        g = f.grave[y] or ""
        out = [x for k in planks(g) for x in at.get(k, ())
               if f.source[x] == source and alone(x)
               and (f.nameless[x] or f.nameless[y]) and fits(x, y) and taken(x)]  # fmt: skip
        out += [x for x in at.get(g, ()) if f.source[x] == source and alone(x)
                and fits(x, y)]  # fmt: skip
        return out

    for rows in list(at.values()):
        for x in rows:
            if not (alone(x) and taken(x)):
                continue
            ys = rows_for(x)
            if len(ys) != 1 or f.grave[ys[0]] in (None, f.grave[x]):
                continue
            y = ys[0]
            if rows_of(y, f.source[x]) == [x]:
                try_merge(x, y, "nameless_at_taken_number",
                          ("number_taken", "only_candidate"))  # fmt: skip


def _link_last_nameless_at_mass_grave(
    f: _RowFacts,
    uf: _Clusters,
    try_merge: Merge,
    isolated: set[int],
) -> None:
    """At a mass grave that two journals list with as many nameless rows
    each, the one nameless row of each left alone when every other one is
    linked, with the same burial day and no disagreeing death day, age or
    sex: the one soldier both journals still have unaccounted for."""
    rows: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, g in enumerate(f.grave):
        if g is not None and f.mass[i] and f.nameless[i]:
            rows[g][f.source[i]].append(i)

    def alone(i: int) -> bool:
        return i not in isolated and len(uf.members[uf.find(i)]) == 1

    for by_source in rows.values():
        for s1, s2 in combinations(sorted(by_source), 2):
            r1, r2 = by_source[s1], by_source[s2]
            if len(r1) != len(r2):
                continue
            free1, free2 = [x for x in r1 if alone(x)], [y for y in r2 if alone(y)]
            if len(free1) != 1 or len(free2) != 1:
                continue
            x, y = free1[0], free2[0]
            if f.burial[x] is None or f.burial[x] != f.burial[y]:
                continue
            dx, dy = f.death[x], f.death[y]
            if dx is not None and dy is not None and dx != dy:
                continue
            if _other_sex(f, x, y) or not _ages_fit(f, x, y):
                continue
            try_merge(x, y, "last_nameless_at_mass_grave", ("last_nameless_left",))


# ----------------------------------------------------------------- summaries


def _proposals(
    rows: Sequence[ParsedRow],
    members: list[int],
    source_rank: Mapping[str, int],
    taken: Mapping[str, int],
    own: str | None = None,
    *,
    names: bool = True,
) -> tuple[str | None, dict[str, int], tuple[str, str, str]]:
    """``taken``: how many clusters claim each grave (``own``, this cluster's
    first-pass grave, is not counted against itself)."""
    votes = Counter(rows[i].grave_key for i in members if rows[i].grave_key)
    grave = None
    if len(votes) == 1:
        grave = next(iter(votes))
    elif votes:

        def rank(k: str) -> tuple[int, int, int, str]:
            first_src = min(source_rank[rows[i].source] for i in members
                            if rows[i].grave_key == k)  # fmt: skip
            return (-votes[k], taken.get(k, 0) - (k == own), first_src, k)

        grave = min(votes, key=rank)
    named = [i for i in members if rows[i].surname or rows[i].given_name]
    if not named or not names:
        return grave, dict(votes), ("", "", "")
    parts = []
    for attr, kind in (("surname", "last"), ("given_name", "first"),
                       ("patronymic", "patronymic")):  # fmt: skip
        vals = [(getattr(rows[i], attr), source_rank[rows[i].source]) for i in named]
        parts.append(_choose_part([v for v in vals if v[0]], kind))
    return grave, dict(votes), (parts[0], parts[1], parts[2])


_UK_LETTERS = frozenset("іїєґʼІЇЄҐ")


def _choose_part(vals: list[tuple[str, int]], kind: str) -> str:
    """Vote on one name part across a cluster's rows: most rows (by the
    Ukrainian/Russian equivalence key), then full over initials, then a
    known name, then source order; shown in Ukrainian spelling if any row
    has it."""
    if not vals:
        return ""
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for text, rank in vals:
        groups[xlang_key(text, kind)].append((text, rank))

    def score(k: str) -> tuple[int, int, int, int, str]:
        g = groups[k]
        full = int(len(k) > 1)
        known = int(
            kind == "last"
            or (kind == "first" and is_given_name(g[0][0]))
            or (kind == "patronymic" and is_patronymic(g[0][0]))
        )
        return (-full, -len(g), -known, min(r for _, r in g), k)

    best = min(groups, key=score)
    texts = groups[best]
    uk = [t for t, _ in texts if any(ch in _UK_LETTERS for ch in t)]
    return uk[0] if uk else min(texts, key=lambda t: t[1])[0]


# ---------------------------------------------------------------- entry point


def _rows_from_frame(df: pd.DataFrame) -> list[ParsedRow]:
    from linkage.io import RawRow, guess_mapping, parse_row

    out: list[ParsedRow] = []
    src_col = "source" if "source" in df.columns else None
    rn_col = "row_number" if "row_number" in df.columns else None
    headers = [c for c in df.columns if c not in ("source", "row_number")]
    mapping = guess_mapping(headers, {c: c for c in headers if c in _FIELD_SET})
    for i, rec in enumerate(df.to_dict("records")):
        cells = {h: "" if pd.isna(rec[h]) else str(rec[h]) for h in headers}
        src = str(rec[src_col]) if src_col else "journal"
        rn = int(rec[rn_col]) if rn_col else i + 1
        out.append(parse_row(RawRow(rn, cells), mapping, src))
    return out


_FIELD_SET = frozenset(
    ("grave", "site", "surname", "given_name", "patronymic", "full_name", "birth_date",
     "age", "death_date", "burial_date", "cause", "brought_by", "notes")
)  # fmt: skip


def reconcile(
    rows: Sequence[ParsedRow] | pd.DataFrame,
    *,
    engine: str = "duckdb",
    threshold: float = 0.9,
    fixed: Iterable[Decision] = (),
    model: Mapping[str, Any] | None = None,
    strong_weight: float = 20.0,
    min_pair_probability: float = 0.01,
    min_rows_to_train: int = 300,
    seed: int = 42,
    spark: Any = None,
    max_block_size: int = MAX_BLOCK_SIZE,
) -> ReconcileResult:
    """Link and deduplicate journal rows; return clusters, pairs, conflicts.

    ``rows``: parsed rows of one or more journals (``ParsedRow.source`` names
    the journal), or a DataFrame with columns ``source``, ``row_number`` and
    field columns (``surname``, ``grave``, ``burial_date`` ...; see
    ``linkage.io.FIELDS``) holding raw cell text.

    ``threshold``: match probability at which a pair joins a cluster.
    ``fixed``: human decisions, honoured whatever the model says.
    ``model``: a trained model (``result.model`` of an earlier run) to reuse
    instead of training. ``strong_weight``: match weight that two rows of the
    same journal need (directly between them) to be put in one cluster.
    ``max_block_size``: a blocking key shared by more rows is not used (see
    ``BLOCKING_RULES``)."""
    if isinstance(rows, pd.DataFrame):
        rows = _rows_from_frame(rows)
    rows = list(rows)
    notes: list[str] = []
    refs: list[RowRef] = [(r.source, r.row_number) for r in rows]
    index = {ref: i for i, ref in enumerate(refs)}
    if len(index) != len(refs):
        raise ValueError("rows must have unique (source, row_number)")
    sources = list(dict.fromkeys(r.source for r in rows))
    source_rank = {s: i for i, s in enumerate(sources)}

    feats = build_features(rows)
    if len(rows) >= 2:
        pred, trained = _score(
            feats, engine=engine, model=model, min_rows_to_train=min_rows_to_train,
            min_pair_probability=min_pair_probability, seed=seed, spark=spark,
            notes=notes, max_block_size=max_block_size,
        )  # fmt: skip
    else:
        pred = pd.DataFrame(
            columns=["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
            + [f"mw_{n}" for n in _COMPARISON_NAMES]
        )
        trained = dict(model) if model else _settings("dedupe_only", "jaro_winkler")
    pred["unique_id_l"] = pred["unique_id_l"].astype("int64")
    pred["unique_id_r"] = pred["unique_id_r"].astype("int64")
    pred = pred.sort_values(["unique_id_l", "unique_id_r"]).reset_index(drop=True)

    must: list[tuple[int, int]] = []
    cannot: set[tuple[int, int]] = set()
    isolated: set[int] = set()
    for d in fixed:
        if d.a not in index or (d.b is not None and d.b not in index):
            notes.append(f"decision {d} names a row not in the input; ignored")
            continue
        a = index[d.a]
        if d.kind == "isolate":
            isolated.add(a)
            continue
        if d.b is None:
            raise ValueError(f"{d.kind} needs two rows")
        b = index[d.b]
        if d.kind == "must_link":
            must.append((a, b))
        elif d.kind == "cannot_link":
            cannot.add((min(a, b), max(a, b)))
        else:
            raise ValueError(f"unknown decision kind {d.kind!r}")
    for a in isolated:  # isolated rows may still be must-linked explicitly
        for b in range(len(rows)):
            if b != a:
                cannot.add((min(a, b), max(a, b)))
    for a, b in must:
        cannot.discard((min(a, b), max(a, b)))
    # the clusters must not depend on the order the decisions come in (the
    # union-find's roots, and so the order rules visit clusters, would)
    must.sort()

    facts = _RowFacts.of(rows)
    uf = _form_clusters(
        len(rows), pred, facts, threshold=threshold,
        strong_weight=strong_weight, must=must, cannot=cannot, isolated=isolated,
    )  # fmt: skip

    # stable cluster ids: ordered by first member in input order
    groups = sorted((sorted(m) for m in uf.members.values()), key=lambda m: m[0])
    row_cluster: dict[RowRef, str] = {}
    cid_of: dict[int, str] = {}
    for k, m in enumerate(groups, start=1):
        cid = f"C{k:06d}"
        for i in m:
            cid_of[i] = cid
            row_cluster[refs[i]] = cid

    # best probability of each row to another member of its cluster
    prob: dict[int, float] = {}
    same = pred[
        [cid_of[a] == cid_of[b] for a, b in zip(pred.unique_id_l, pred.unique_id_r,
                                                  strict=True)]
    ] if len(pred) else pred  # fmt: skip
    for a, b, p in zip(same.unique_id_l, same.unique_id_r, same.match_probability,
                       strict=True):  # fmt: skip
        for x in (int(a), int(b)):
            prob[x] = max(prob.get(x, 0.0), float(p))
    row_probability: dict[RowRef, float | None] = {}
    for m in groups:
        for i in m:
            row_probability[refs[i]] = prob.get(i, 1.0 if len(m) > 1 else None)

    # proposals: first pass without knowing other clusters, second pass
    # prefers graves not claimed by other clusters when votes tie
    first = {
        cid_of[m[0]]: _proposals(rows, m, source_rank, {}, names=False)[0]
        for m in groups
    }
    taken = Counter(g for g in first.values() if g)
    clusters: list[Cluster] = []
    for m in groups:
        cid = cid_of[m[0]]
        grave, votes, (s, g, p) = _proposals(rows, m, source_rank, taken, first[cid])
        clusters.append(
            Cluster(
                cluster_id=cid, rows=[refs[i] for i in m], grave=grave,
                name=" ".join(x for x in (s, g, p) if x), surname=s, given_name=g,
                patronymic=p, grave_votes=votes,
            )
        )  # fmt: skip

    conflicts: list[Conflict] = []
    by_grave: dict[str, list[Cluster]] = defaultdict(list)
    for c in clusters:
        if c.grave:
            by_grave[c.grave].append(c)
        if len(c.grave_votes) > 1:
            conflicts.append(
                Conflict(
                    "person_multiple_graves",
                    f"{c.name or 'unnamed'}: rows name graves "
                    + ", ".join(sorted(c.grave_votes)),
                    c.grave, (c.cluster_id,), tuple(c.rows),
                )
            )  # fmt: skip
    for g, cs in sorted(by_grave.items()):
        if len(cs) > 1:
            conflicts.append(
                Conflict(
                    "grave_multiple_people",
                    f"grave {g} proposed for {len(cs)} people"
                    + (" (mass grave)" if g.startswith("бм") else ""),
                    g, tuple(c.cluster_id for c in cs),
                    tuple(r for c in cs for r in c.rows),
                )
            )  # fmt: skip
    for i, r in enumerate(rows):
        if not r.grave_key:
            conflicts.append(
                Conflict(
                    "row_without_grave", f"row {r.row_number} of {r.source} has no "
                    f"readable grave number ({r.grave_raw!r})", None, (cid_of[i],),
                    (refs[i],),
                )
            )  # fmt: skip

    pairs_frame = pred.assign(
        source_l=[refs[i][0] for i in pred.unique_id_l],
        row_l=[refs[i][1] for i in pred.unique_id_l],
        source_r=[refs[i][0] for i in pred.unique_id_r],
        row_r=[refs[i][1] for i in pred.unique_id_r],
    )
    return ReconcileResult(
        clusters=clusters,
        conflicts=conflicts,
        pairs_frame=pairs_frame,
        row_cluster=row_cluster,
        row_probability=row_probability,
        model=trained,
        engine=engine,
        threshold=threshold,
        notes=notes,
        _level_info=_level_info(trained),
        _row_grave={ref: r.grave_key or None for ref, r in zip(refs, rows,
                                                              strict=True)},
        _row_sex={ref: (nameless, sx) for ref, nameless, sx
                  in zip(refs, facts.nameless, facts.sex, strict=True) if sx},
        _facts=facts,
        _ref_index=index,
        _edges=[
            (refs[a], refs[b], rule,
             () if rule in (SPLINK, DECISION) else _evidence(facts, a, b, why))
            for a, b, rule, why in uf.links
        ],
    )  # fmt: skip

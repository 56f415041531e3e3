"""Evaluating a reconciliation against truth labels.

Pairwise: a pair of rows is *positive* if both rows are the same person.
Precision, recall and F1 are computed over all row pairs (not only the scored
ones), from cluster co-membership. Graves: the share of graves whose proposed
name is the true name (compared with the Ukrainian/Russian-equivalence key).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Protocol

from linkage.normalize import latin_key, parse_grave_number, xlang_key
from linkage.reconcile import ReconcileResult, RowRef

__all__ = [
    "PAIR_CLASSES",
    "PairwiseScores",
    "pair_class",
    "without_grave_number",
    "same_journal_no_common_grave",
    "pairwise_scores_by_class",
    "SimulatorTruth",
    "grave_name_accuracy",
    "load_simulator_truth",
    "pairwise_scores",
]


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        d = self.true_positives + self.false_positives
        return self.true_positives / d if d else 1.0

    @property
    def recall(self) -> float:
        d = self.true_positives + self.false_negatives
        return self.true_positives / d if d else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(
    predicted: Mapping[RowRef, str], truth: Mapping[RowRef, str]
) -> PairwiseScores:
    """Pairwise scores of predicted cluster ids against true person ids, over
    the rows present in both mappings."""
    rows = [r for r in predicted if r in truth]
    tp = 0
    by_both: Counter[tuple[str, str]] = Counter((predicted[r], truth[r]) for r in rows)
    for n in by_both.values():
        tp += _pairs(n)
    pred_pairs = sum(_pairs(n) for n in Counter(predicted[r] for r in rows).values())
    true_pairs = sum(_pairs(n) for n in Counter(truth[r] for r in rows).values())
    return PairwiseScores(tp, pred_pairs - tp, true_pairs - tp)


#: Classes of difficulty of a row pair, hardest first (a pair is in the first
#: that applies).
PAIR_CLASSES = ("unnamed", "same journal", "grave missing", "grave differs",
                "grave agrees")  # fmt: skip


class PairRow(Protocol):
    """What ``pair_class`` reads of a row (a ``ParsedRow`` has it all)."""

    source: str
    row_number: int
    surname: str
    given_name: str

    @property
    def grave_key(self) -> str: ...


def pair_class(a: PairRow, b: PairRow) -> str:
    """The class of difficulty of a pair of rows (see ``PAIR_CLASSES``)."""
    if not (a.surname or a.given_name) or not (b.surname or b.given_name):
        return "unnamed"
    if a.source == b.source:
        return "same journal"
    if not a.grave_key or not b.grave_key:
        return "grave missing"
    if a.grave_key != b.grave_key:
        return "grave differs"
    return "grave agrees"


def without_grave_number(a: PairRow, b: PairRow) -> str:
    """``"without grave number"`` for a pair with a row that has no grave
    number (named or not, one journal or two: #15's "rows without a grave
    number"), else ``"with grave numbers"``; a classifier for
    ``pairwise_scores_by_class``."""
    if not a.grave_key or not b.grave_key:
        return "without grave number"
    return "with grave numbers"


def same_journal_no_common_grave(a: PairRow, b: PairRow) -> str:
    """``"same journal, no common grave number"`` for two named rows of one
    journal that do not share a grave number (one has none, or they differ:
    a reburial, a corrected entry; #15), else ``"other"``; a classifier for
    ``pairwise_scores_by_class``."""
    named = (a.surname or a.given_name) and (b.surname or b.given_name)
    if (
        named
        and a.source == b.source
        and (not a.grave_key or not b.grave_key or a.grave_key != b.grave_key)
    ):
        return "same journal, no common grave number"
    return "other"


def _pair_set(
    clusters: Mapping[RowRef, str], rows: set[RowRef]
) -> set[tuple[RowRef, RowRef]]:
    groups: dict[str, list[RowRef]] = defaultdict(list)
    for r, c in clusters.items():
        if r in rows:
            groups[c].append(r)
    return {
        (x, y) if x <= y else (y, x)
        for members in groups.values()
        for x, y in combinations(members, 2)
    }


def pairwise_scores_by_class(
    rows: Sequence[Any],
    predicted: Mapping[RowRef, str],
    truth: Mapping[RowRef, str],
    classify: Callable[[Any, Any], str] = pair_class,
) -> dict[str, PairwiseScores]:
    """Pairwise scores per class of difficulty: a true pair counts in its
    class's recall, a predicted pair in its class's precision. Over the rows
    present in both mappings. ``rows``: ``ParsedRow`` or anything with the
    attributes ``classify`` reads (``PairRow`` for ``pair_class``)."""
    by_ref = {(r.source, r.row_number): r for r in rows}
    common = {r for r in predicted if r in truth and r in by_ref}
    pred, true = _pair_set(predicted, common), _pair_set(truth, common)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for pair in pred | true:
        c = counts[classify(by_ref[pair[0]], by_ref[pair[1]])]
        if pair in pred and pair in true:
            c[0] += 1
        elif pair in pred:
            c[1] += 1
        else:
            c[2] += 1
    return {k: PairwiseScores(*v) for k, v in counts.items()}


@dataclass(slots=True)
class SimulatorTruth:
    row_person: dict[RowRef, str]  # (source, row_number) -> person id
    grave_key: dict[str, str]  # grave id -> normalised grave key
    grave_names: dict[str, list[tuple[str, str]]]  # grave id -> [(surname, given)]


def load_simulator_truth(
    directory: str | Path,
    sources: Mapping[str, str] | None = None,
    row_offset: int = 1,
) -> SimulatorTruth:
    """Read ``truth.json`` written by ``imena simulate``.

    ``sources`` maps the truth's file names (``journals/funeral_home.csv``)
    to the journal source names used when reading (default: file stem).
    Truth row *n* is the n-th data row, i.e. ``row_number = n + row_offset``
    (the header is row 1)."""
    t: dict[str, Any] = json.loads((Path(directory) / "truth.json").read_text("utf-8"))
    row_person: dict[RowRef, str] = {}
    for r in t["journal_rows"]:
        src = (sources or {}).get(r["file"], Path(r["file"]).stem)
        row_person[(src, int(r["row"]) + row_offset)] = r["person_id"]
    grave_key: dict[str, str] = {}
    grave_names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    persons = t.get("persons", {})
    bodies = t.get("bodies", {})
    for gid, g in t.get("graves", {}).items():
        num = g.get("number")
        gk = parse_grave_number(num) if num else None
        if gk is not None:
            grave_key[gid] = gk.key
        for b in g.get("bodies", []):
            p = persons.get(bodies.get(b, {}).get("person_id", ""), {})
            if p:
                grave_names[gid].append(
                    (p.get("family_name", ""), p.get("given_name", ""))
                )
    return SimulatorTruth(row_person, grave_key, dict(grave_names))


def same_name(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """(surname, given) pairs equal up to Ukrainian/Russian spelling or
    transliteration."""
    x = (xlang_key(a[0], "last"), xlang_key(a[1], "first"))
    y = (xlang_key(b[0], "last"), xlang_key(b[1], "first"))
    lat = (latin_key(a[0]), latin_key(a[1])) == (latin_key(b[0]), latin_key(b[1]))
    return x == y or lat


def grave_name_accuracy(
    result: ReconcileResult, truth: SimulatorTruth, *, only_named: bool = True
) -> tuple[float, int]:
    """Share of individual graves (one body, with a number) whose proposed name
    (from any cluster proposing that grave) is the true person's name.

    Returns (share, number of graves counted). With ``only_named``, graves
    for which no cluster proposes any name are skipped (nobody wrote a name)."""
    proposed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in result.clusters:
        if c.grave and c.surname:
            proposed[c.grave].append((c.surname, c.given_name))
    ok = total = 0
    for gid, names in truth.grave_names.items():
        key = truth.grave_key.get(gid)
        if key is None or len(names) != 1:
            continue
        props = proposed.get(key, [])
        if only_named and not props:
            continue
        total += 1
        if len(props) == 1 and same_name(props[0], names[0]):
            ok += 1
    return (ok / total if total else 1.0), total

"""Lineage markers (Y-STR, mtDNA) in the identification engine (issue 18).

``kinship.lineage`` compares a body's haplotype with the typed reference of
the missing person's paternal (Y) or maternal (mtDNA) line that has the fewest
meioses; this module multiplies those LRs into the DNA LRs of the kept pairs
(independence of lineage and autosomal markers, docs/kinship.md) and writes the
explanation line in both languages.  No Django: the engine imports it.

Many pairs are scored (every kept DNA pair whose body and family both carry
lineage markers), so :class:`LineageScorer` keeps the line's best reference
per family and the victims' table counts, and computes only the log LR; the
explanation (per-locus detail) is made for the pairs shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kinship.case import Family
from kinship.lineage import (  # noqa: PLC2701 - shared cache
    Y_DEFAULT_RATE,
    LineageData,
    LineageResult,
    _locus_log,
    _step_log,
    clopper_pearson_upper,
    line_meioses,
    lineage_from_dict,
    lineage_results,
    mt_log_probability,
    y_log_probability,
)


def lineage_data(
    tables: Mapping[str, Any],
    victims: Mapping[str, Mapping[str, Any]],
    families: Mapping[str, Mapping[str, Any]],
) -> LineageData | None:
    """The engine's lineage data: bodies' and families' markers, with tables.

    ``tables``: ``imena.dna.selectors.lineage_tables``; ``victims``: body id
    -> DNA dict (``ystr``/``mtdna`` keys); ``families``: person id -> family
    dict.  None when no kind is typed on both sides with a table.
    """
    kinds = [k for k in ("ystr", "mtdna") if f"{k}_database" in tables]
    pm = {
        name: {k: v[k] for k in kinds if v.get(k)}
        for name, v in victims.items()
        if any(v.get(k) for k in kinds)
    }
    am = {
        pid: {k: f[k] for k in kinds if f.get(k)}
        for pid, f in families.items()
        if any(f.get(k) for k in kinds)
    }
    if not pm or not am:
        return None
    return lineage_from_dict({"pm": pm, "am": am, **tables})


class LineageScorer:
    """Lineage log10 LRs and explanation lines of (body, family) pairs."""

    def __init__(
        self,
        data: LineageData,
        targets: Mapping[str, tuple[Family, str]],
        relation_of: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.data = data
        self.targets = targets  # person id -> (family, missing member)
        self.relation_of = relation_of
        self._best: dict[tuple[str, str], tuple[int, str] | None] = {}
        self._upper: dict[tuple[int, int], float] = {}

    def _ref(self, fam: Family, missing: str, side: str) -> tuple[int, str] | None:
        """The typed reference of the line with the fewest meioses (as kinship)."""
        key = (fam.name, side)
        if key not in self._best:
            refs = self.data.y_refs if side == "father" else self.data.mt_refs
            best: tuple[int, str] | None = None
            for ref in refs.get(fam.name, {}):
                k = line_meioses(fam.pedigree, missing, ref, side)
                if k is not None and (best is None or (k, ref) < best):
                    best = (k, ref)
            self._best[key] = best
        return self._best[key]

    def _log_upper(self, counted: tuple[int, int]) -> float:
        if counted not in self._upper:
            self._upper[counted] = math.log(clopper_pearson_upper(*counted))
        return self._upper[counted]

    def y_log(self, body: str, fam: Family, missing: str) -> float | None:
        """The natural-log Y-STR LR of ``body`` as ``missing``, or None."""
        data = self.data
        y = data.y_victims.get(body)
        best = self._ref(fam, missing, "father") if y is not None else None
        if y is None or best is None:
            return None
        k, ref = best
        logp, loci = y_log_probability(data.y_refs[fam.name][ref], y, k, data.y_rates)
        if not loci:
            return None
        return logp - self._log_upper(data.y_count(body, y, loci))

    def log10(
        self, body: str, fam: Family, missing: str, *, y: bool = True
    ) -> float | None:
        """The lineage log10 LR of ``body`` as ``missing``; None: nothing compared.

        Each kind's log10 LR is bounded below by -300.  ``y=False``: the mtDNA
        part only (the Y part computed elsewhere).
        """
        data, total, found = self.data, 0.0, False
        y_part = self.y_log(body, fam, missing) if y else None
        if y_part is not None:
            total, found = max(y_part / math.log(10), -300.0), True
        mt = data.mt_victims.get(body)
        best = self._ref(fam, missing, "mother") if mt is not None else None
        if mt is not None and best is not None:
            k, ref = best
            mt_part = mt_log_probability(
                data.mt_refs[fam.name][ref], mt, k, data.mt_rate
            ) - self._log_upper(data.mt_count(body, mt))
            total += max(mt_part / math.log(10), -300.0)
            found = True
        return total if found else None

    def text(self, body: str, person: str) -> tuple[str, str] | None:
        """The explanation lines (English, Ukrainian) of a pair, or None."""
        if person not in self.targets:
            return None
        fam, missing = self.targets[person]
        found = lineage_results(self.data, fam.pedigree, fam.name, missing, body)
        if not found:
            return None
        rel = self.relation_of.get(fam.name, {})
        lines = [explain(r, rel.get(r.reference, "")) for r in found]
        return "; ".join(en for en, _ in lines), "; ".join(uk for _, uk in lines)


def add_lineage(
    data: LineageData,
    names: Sequence[str],
    targets: Sequence[tuple[Family, str]],
    hit_v: np.ndarray,
    hit_t: np.ndarray,
    hit_log10: np.ndarray,
    relation_of: Mapping[str, Mapping[str, str]],
) -> LineageScorer:
    """Add the lineage log10 LRs to the kept pairs (in place); return the scorer.

    Only pairs whose body and family both have lineage markers are visited.
    """
    scorer = LineageScorer(
        data, {fam.name: (fam, m) for fam, m in targets}, relation_of
    )
    bodies = set(data.y_victims) | set(data.mt_victims)
    fams = set(data.y_refs) | set(data.mt_refs)
    with_v = np.array([n in bodies for n in names], dtype=bool)
    with_t = np.array([f.name in fams for f, _m in targets], dtype=bool)
    if not len(hit_v) or not with_v.any() or not with_t.any():
        return scorer
    picked = np.nonzero(with_v[hit_v] & with_t[hit_t])[0]
    if not len(picked):
        return scorer
    ymat = _YMatrix(data, names)
    order = picked[np.argsort(hit_t[picked], kind="stable")]
    starts = np.flatnonzero(np.diff(hit_t[order], prepend=-1))
    for s, e in zip(starts, [*starts[1:], len(order)], strict=True):
        ks = order[s:e]
        fam, missing = targets[int(hit_t[ks[0]])]
        y_done = ymat.add(scorer, fam, missing, names, hit_v[ks], hit_log10, ks)
        for k, done in zip(ks, y_done, strict=True):
            body = names[int(hit_v[k])]
            if done:  # the Y part is added; the mtDNA part here
                value = scorer.log10(body, fam, missing, y=False)
            else:
                value = scorer.log10(body, fam, missing)
            if value is not None:
                hit_log10[k] += value
    return scorer


class _YMatrix:
    """The bodies' Y haplotypes as allele codes, for one family at a time.

    ``codes[body, locus]`` indexes the locus's distinct allele tuples (-1:
    untyped); per family, a table of the log probability of each code given
    the reference's alleles and meioses (``kinship.lineage._locus_log``) turns
    the body x locus codes into the pairs' log probabilities with numpy.
    """

    def __init__(self, data: LineageData, names: Sequence[str]) -> None:
        loci = sorted({locus for h in data.y_victims.values() for locus in h})
        self.col = {locus: j for j, locus in enumerate(loci)}
        self.vocab: list[dict[tuple[str, ...], int]] = [{} for _ in loci]
        self.codes = np.full((len(names), len(loci)), -1, dtype=np.int32)
        self.index = {n: i for i, n in enumerate(names)}
        for i, name in enumerate(names):
            for locus, alleles in (data.y_victims.get(name) or {}).items():
                j = self.col[locus]
                self.codes[i, j] = self.vocab[j].setdefault(alleles, len(self.vocab[j]))
        self._upper: dict[tuple[str, ...], np.ndarray] = {}

    def add(
        self,
        scorer: LineageScorer,
        fam: Family,
        missing: str,
        names: Sequence[str],
        victims: np.ndarray,
        hit_log10: np.ndarray,
        ks: np.ndarray,
    ) -> np.ndarray:
        """Add the Y log10 LRs of the family's pairs ``ks``; True where added.

        Bodies typed at every locus of the reference go through numpy; the
        others (and families without a Y reference) are left to the scorer.
        """
        data = scorer.data
        done = np.zeros(len(ks), dtype=bool)
        best = scorer._ref(fam, missing, "father")
        if best is None or not len(self.col):
            return done
        k, ref = best
        reference = data.y_refs[fam.name][ref]
        loci = tuple(locus for locus in reference if locus in self.col)
        if not loci:
            return done
        cols = [self.col[locus] for locus in loci]
        sub = self.codes[victims][:, cols]
        full = (sub >= 0).all(axis=1)
        if not full.any():
            return done
        logp = np.zeros(int(full.sum()))
        for jj, (locus, j) in enumerate(zip(loci, cols, strict=True)):
            rate = data.y_rates.get(locus, Y_DEFAULT_RATE)
            table = np.array(
                [
                    len(a) * _step_log(0, k, rate)
                    if a == reference[locus]
                    else _locus_log(reference[locus], a, k, rate)
                    for a in self.vocab[j]
                ]
            )
            logp += table[sub[full, jj]]
        rows = victims[full]
        upper = self._upper.setdefault(loci, np.full(len(names), np.nan))
        for i in np.unique(rows[np.isnan(upper[rows])]):
            name = names[int(i)]
            counted = data.y_count(name, data.y_victims[name], loci)
            upper[i] = scorer._log_upper(counted)
        value = (logp - upper[rows]) / math.log(10)
        hit_log10[ks[full]] += np.maximum(value, -300.0)
        done[full] = True
        return done


_VERDICT = {
    ("Y-STR", "consistent"): (
        "consistent with the paternal line (every man of that line shares "
        "the haplotype: it cannot tell them apart)",
        "узгоджується з батьківською лінією (гаплотип спільний для всіх "
        "чоловіків цієї лінії: їх він не розрізняє)",
    ),
    ("mtDNA", "consistent"): (
        "consistent with the maternal line (everyone of that line shares the "
        "sequence: it cannot tell them apart)",
        "узгоджується з материнською лінією (послідовність спільна для всіх "
        "людей цієї лінії: їх вона не розрізняє)",
    ),
    ("Y-STR", "inconclusive"): (
        "one locus differs: inconclusive (a mutation or another line)",
        "один локус відрізняється: непереконливо (мутація або інша лінія)",
    ),
    ("mtDNA", "inconclusive"): (
        "one position differs: inconclusive (a mutation or another line)",
        "одна позиція відрізняється: непереконливо (мутація або інша лінія)",
    ),
    ("Y-STR", "exclusion"): (
        "two or more loci differ: excludes the paternal line",
        "два або більше локусів відрізняються: виключає батьківську лінію",
    ),
    ("mtDNA", "exclusion"): (
        "two or more positions differ: excludes the maternal line",
        "дві або більше позицій відрізняються: виключає материнську лінію",
    ),
}


def explain(result: LineageResult, relation: str = "") -> tuple[str, str]:
    """One line per lineage comparison (English, Ukrainian), with its verdict."""
    who = f"{result.reference} ({relation})" if relation else result.reference
    lr = f"{result.lr:.3g}"
    n, size = result.count, f"{result.database:,}".replace(",", " ")
    if result.kind == "Y-STR":
        head_en = f"{result.matching}/{result.compared} loci match {who}"
        head_uk = f"{result.matching}/{result.compared} локусів збігаються з {who}"
    else:
        d = ", ".join(result.differences) or "none"
        head_en = f"{result.differing} differences ({d}) against {who}"
        head_uk = (
            f"відмінностей: {result.differing} "
            f"({', '.join(result.differences) or 'немає'}) з {who}"
        )
    seen_en = f"not seen in {size}" if n == 0 else f"seen {n} times in {size}"
    seen_uk = (
        f"не трапляється серед {size}"
        if n == 0
        else f"трапляється {n} раз серед {size}"
    )
    verdict_en, verdict_uk = _VERDICT[(result.kind, result.verdict)]
    return (
        f"{result.kind}: {head_en}, {result.meioses} meioses; {seen_en} "
        f"-> LR {lr} (in the DNA LR); {verdict_en}",
        f"{result.kind}: {head_uk}, мейозів: {result.meioses}; {seen_uk} "
        f"-> LR {lr} (враховано в LR ДНК); {verdict_uk}",
    )

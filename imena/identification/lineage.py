"""Lineage markers (Y-STR, mtDNA) in the identification engine (issue 18).

``kinship.lineage`` compares a body's haplotype with the typed reference of
the missing person's paternal (Y) or maternal (mtDNA) line that has the fewest
meioses; this module multiplies those LRs into the DNA LRs of the kept pairs
(independence of lineage and autosomal markers, docs/kinship.md) and writes the
explanation line in both languages.  No Django: the engine imports it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kinship.case import Family
from kinship.lineage import (
    LineageData,
    LineageResult,
    lineage_from_dict,
    lineage_results,
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


def add_lineage(
    data: LineageData,
    names: Sequence[str],
    targets: Sequence[tuple[Family, str]],
    hit_v: np.ndarray,
    hit_t: np.ndarray,
    hit_log10: np.ndarray,
    relation_of: Mapping[str, Mapping[str, str]],
) -> dict[tuple[str, str], tuple[str, str]]:
    """Add the lineage log10 LRs to the kept pairs (in place); return the texts.

    Only pairs whose body and family both have lineage markers are visited.
    Texts are ``{(body, person): (en, uk)}``.
    """
    bodies = set(data.y_victims) | set(data.mt_victims)
    fams = set(data.y_refs) | set(data.mt_refs)
    with_v = np.array([n in bodies for n in names], dtype=bool)
    with_t = np.array([f.name in fams for f, _m in targets], dtype=bool)
    if not with_v.any() or not with_t.any():
        return {}
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    for k in np.nonzero(with_v[hit_v] & with_t[hit_t])[0]:
        fam, missing = targets[int(hit_t[k])]
        body = names[int(hit_v[k])]
        found = lineage_results(data, fam.pedigree, fam.name, missing, body)
        if not found:
            continue
        hit_log10[k] += sum(math.log10(r.lr) if r.lr > 0 else -300.0 for r in found)
        rel = relation_of.get(fam.name, {})
        lines = [explain(r, rel.get(r.reference, "")) for r in found]
        texts[(body, fam.name)] = (
            "; ".join(en for en, _uk in lines),
            "; ".join(uk for _en, uk in lines),
        )
    return texts


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

"""Benchmark Familias .fam export and import of a national-size DVI case.

Usage::

    python benchmarks/bench_familias.py [--victims N --families M] [--hostile MB]

Simulates N victims and M families (the templates of ``bench_kinship.py``, 23
norSTR loci), writes them as one Familias DVI file, reads it back and checks
that the case is the same.  ``--hostile MB`` instead parses a DVI file of about
MB megabytes holding one family of nothing but relations (a chain of unlisted
parents, the importer's worst case for memory).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kinship import markers23, simulate  # noqa: E402

from kinship.case import Case, Family, Pedigree, Victim  # noqa: E402
from kinship.familias import fam_to_case, parse_fam, write_fam_dvi  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def national(n_victims: int, n_families: int) -> None:
    """Export and import a simulated case; print sizes, times and peak memory."""
    markers = markers23()
    victims, targets = simulate(n_victims, n_families, markers)
    families: dict[str, Family] = {}
    missing = []
    for k, (fam, _) in enumerate(targets):
        ped = fam.pedigree
        rename = {"M": f"M{k}"}
        ids = [rename.get(i, i) for i in ped.ids]
        new = Pedigree(tuple(ids), ped.father, ped.mother, ped.sex)
        families[fam.name] = Family(fam.name, new, fam.genotypes)
        missing.append(f"M{k}")
    case = Case(
        markers,
        {v: Victim(v, 1, g) for v, g in victims.items()},
        families,
        missing,
    )
    t0 = time.process_time()
    text = write_fam_dvi(case, dropout=0.01)
    t1 = time.process_time()
    data = text.encode("ascii")
    del text
    parsed = parse_fam(data)
    back = fam_to_case(parsed)
    t2 = time.process_time()
    same = (
        list(back.victims) == list(case.victims)
        and back.missing == case.missing
        and all(
            back.families[k].pedigree == f.pedigree
            and back.families[k].genotypes == f.genotypes
            for k, f in case.families.items()
        )
        and all(back.victims[v] == case.victims[v] for v in case.victims)
    )
    print(
        f"{n_victims} victims, {n_families} families: {len(data) / 2**20:.1f} MB; "
        f"export {t1 - t0:.2f} s CPU, import {t2 - t1:.2f} s CPU; same case: {same}; "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )


def hostile(megabytes: float) -> None:
    """Parse a file of one family made of a long chain of unlisted parents."""
    head = write_fam_dvi(
        Case(
            dict(list(markers23().items())[:1]),
            {},
            {
                "F": Family(
                    "F",
                    Pedigree.from_lists(
                        ["FA", "M"], [None, "FA"], [None, None], [1, 1]
                    ),
                )
            },
            ["M"],
        )
    ).replace("\r\n", "\n")
    cut = head.index("[[[[Pedigrees]]]]")
    tail = head.index("[Prior]")
    n = int(megabytes * 2**20 / 60)
    rels = [
        "Parent= FA",
        "Child= Missing person",
        "Parent= P0",
        "Child= Missing person",
    ]
    for i in range(n):
        rels += [f"Parent= P{i}", f"Child= C{i}", f"Parent= P{i + 1}", f"Child= C{i}"]
    body = (
        "[[[[Pedigrees]]]]\nnPedigrees= 1\n[[[[[Pedigree 1]]]]]\nName= F\n"
        f"nRelations= {len(rels) // 2}\n" + "\n".join(rels) + "\n"
    )
    data = (head[:cut] + body + head[tail:]).encode("ascii")
    del rels, body
    base = peak_rss_mb()
    t0 = time.process_time()
    case = fam_to_case(parse_fam(data))
    t1 = time.process_time()
    print(
        f"hostile: {len(data) / 2**20:.1f} MB, {n * 2 + 2} relations, "
        f"{len(case.families['F'].pedigree)} persons: {t1 - t0:.2f} s CPU, "
        f"peak RSS {peak_rss_mb():.0f} MB (before parsing {base:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--victims", type=int, default=10_000)
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--hostile", type=float, help="megabytes of relations")
    args = parser.parse_args()
    if args.hostile:
        hostile(args.hostile)
    else:
        national(args.victims, args.families)


if __name__ == "__main__":
    main()

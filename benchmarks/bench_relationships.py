"""Measure the checks of declared relationships on the simulator's families.

Usage::

    python benchmarks/bench_relationships.py [--seed 2026] [--scale 4] [--reps 5]
                                             [--loci 23,50]

Issue 18, item 4 (``kinship.relationships.check_family``, flag at 1,000:1).
The reference families are the simulator's (``imena.simulation``: kinds
``parents``, ``mother_sibling``, ``siblings``, ``children``, ``child_spouse``...,
as ``imena simulate`` writes them); only families with two or more typed
references have a pair to check.

* **False flags**: each such family as declared, its typed references
  gene-dropped ``--reps`` times through the declared pedigree (the first time:
  the simulator's own genotypes when the kit is its 23 loci).
* **Detection**: in each family with two or more typed full siblings (kinds
  ``siblings`` and ``children``), the last sibling is made a half-sibling (his
  father, or the mother when the missing person is the father, is replaced by
  a new founder) and the references are gene-dropped through that truth, then
  checked against the declared pedigree: detected when the sibling pair is
  flagged (``family``: any pair of the family flagged).

``--loci``: kit sizes; 23 is the simulator's kit (CODIS-20 + SE33, Penta D,
Penta E), larger kits add the other norSTR loci in table order (50 = all).
Prints one JSON line per kit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imena.simulation.ampm import build_reports  # noqa: E402
from imena.simulation.dna import LOCI, build_dna  # noqa: E402
from imena.simulation.world import build_world  # noqa: E402
from kinship.case import Family, Pedigree, load_case  # noqa: E402
from kinship.markers import Marker, load_frequency_table  # noqa: E402
from kinship.relationships import check_family  # noqa: E402
from kinship.screen import simulate_genotypes  # noqa: E402


def kit(size: int) -> dict[str, Marker]:
    """The simulator's 23 loci, then the other norSTR loci up to ``size``."""
    table = load_frequency_table()
    first = [source for _name, source in LOCI]
    rest = [k for k in table if k not in first]
    return {k: table[k] for k in (first + rest)[:size]}


def pedigree(fam: dict[str, Any]) -> Pedigree:
    return Pedigree.from_lists(fam["id"], fam["fid"], fam["mid"], fam["sex"])


def half_sib_truth(fam: dict[str, Any]) -> tuple[Pedigree, str, str] | None:
    """The truth with the last typed full sibling a half-sibling, and the pair."""
    typed = list(fam["genotypes"])
    idx = {m: k for k, m in enumerate(fam["id"])}
    sibs: dict[tuple[str, str], list[str]] = {}
    for m in typed:
        f, mo = fam["fid"][idx[m]], fam["mid"][idx[m]]
        if f is not None and mo is not None:
            sibs.setdefault((f, mo), []).append(m)
    pairs = [v for v in sibs.values() if len(v) >= 2]
    if not pairs:
        return None
    first, last = pairs[0][0], pairs[0][-1]
    ids, fid, mid, sex = (list(fam[k]) for k in ("id", "fid", "mid", "sex"))
    k = idx[last]
    # Replace the parent who is not the missing person (children kind: the
    # missing person is a parent, whose relation to the references is kept).
    missing = fam.get("missing")
    if fid[k] == missing:
        ids.append("X-HM")
        fid.append(None)
        mid.append(None)
        sex.append(2)
        mid[k] = "X-HM"
    else:
        ids.append("X-HF")
        fid.append(None)
        mid.append(None)
        sex.append(1)
        fid[k] = "X-HF"
    return Pedigree.from_lists(ids, fid, mid, sex), first, last


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--loci", default="23,50")
    args = ap.parse_args(argv)
    world = build_world(args.seed, 445, args.scale)
    _reports, _links, family_pids = build_reports(world, args.seed)
    dna = build_dna(world, family_pids, args.seed, lineage=False)
    am = {
        k: {**v, "missing": f"{k}-MP"}
        for k, v in dna.case["am"].items()
        if len(v["genotypes"]) >= 2
    }
    sim_case = load_case(dna.case)
    kinds: dict[str, int] = {}
    for fam in dna.families:
        if fam.fid in am:
            kinds[fam.kind] = kinds.get(fam.kind, 0) + 1
    for size in (int(s) for s in args.loci.split(",")):
        markers = kit(size)
        rng = np.random.default_rng([args.seed, size])
        started = time.process_time()
        pairs = flagged_pairs = families = flagged_families = 0
        by_best: dict[str, int] = {}
        for name, fam in am.items():
            ped = pedigree(fam)
            typed = list(fam["genotypes"])
            for rep in range(args.reps):
                if rep == 0 and size == len(LOCI):
                    genos = dict(sim_case.families[name].genotypes)
                else:
                    genos = simulate_genotypes(ped, markers, rng, ids=typed)
                checks = check_family(Family(name, ped, genos), markers)
                families += 1
                pairs += len(checks)
                flags = [c for c in checks if c.flagged]
                flagged_pairs += len(flags)
                flagged_families += bool(flags)
                for c in flags:
                    by_best[c.best] = by_best.get(c.best, 0) + 1
        half = detected_pair = detected_family = 0
        for name, fam in am.items():
            truth = half_sib_truth(fam)
            if truth is None:
                continue
            true_ped, a, b = truth
            ped = pedigree(fam)
            for _rep in range(args.reps):
                genos = simulate_genotypes(
                    true_ped, markers, rng, ids=list(fam["genotypes"])
                )
                checks = check_family(Family(name, ped, genos), markers)
                half += 1
                hit = [c for c in checks if c.flagged]
                detected_family += bool(hit)
                detected_pair += any({c.a, c.b} == {a, b} for c in hit)
        print(
            json.dumps(
                {
                    "loci": size,
                    "families_checked": families,
                    "pairs_checked": pairs,
                    "false_flag_pairs": flagged_pairs,
                    "false_flag_families": flagged_families,
                    "false_flag_rate_per_family": round(flagged_families / families, 5),
                    "false_flags_best_alternative": by_best,
                    "half_sib_families": half,
                    "detected_sib_pair": detected_pair,
                    "detected_family": detected_family,
                    "detection_rate": round(detected_pair / max(half, 1), 4),
                    "kinds": kinds,
                    "cpu_seconds": round(time.process_time() - started, 1),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

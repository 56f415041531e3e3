"""Benchmark kinship screening and joint identification.

Usage::

    python benchmarks/bench_kinship.py [--victims N --families M] [--joint]
    python benchmarks/bench_kinship.py --point [--victims 1 --families 8000]

Screening: N simulated PM profiles against M simulated families (23 norSTR
loci, 1-3 typed references each, gene dropping, no mutation); N // 10 victims
are true missing persons.  ``--joint`` also times ``joint`` on every dvir
example case and on 17 victims against 50 single-missing families.
``--point``: ``screen_pairs`` of a few victims (default 1: a new PM profile)
against M families (default 8,000), every pair kept, at the victims'
genotypes only (``_targets_scores``, what it does with at most
``POINT_VICTIMS`` victims) and through the families' whole tables, with the
largest difference between the two.
"""

from __future__ import annotations

import argparse
import glob
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kinship.case import Case, Family, Pedigree, Victim, load_case  # noqa: E402
from kinship.identify import joint  # noqa: E402
from kinship.markers import Marker, load_frequency_table  # noqa: E402
from kinship.screen import screen  # noqa: E402

# (The module: ``kinship.screen`` is also the package's function.)
screen_mod = sys.modules["kinship.screen"]

LOCI = [
    "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51",
    "D2S441", "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820",
    "SE33", "D10S1248", "D1S1656", "D12S391", "D2S1338", "Penta D", "Penta E",
]  # fmt: skip

# (ids, fathers, mothers, sexes, typed references); "M" is the missing person.
TEMPLATES = [
    (["F", "MO", "M"], ["", "", "F"], ["", "", "MO"], [1, 2, 1], ["F"]),
    (["F", "MO", "M"], ["", "", "F"], ["", "", "MO"], [1, 2, 1], ["F", "MO"]),
    (["F", "MO", "M", "S1", "S2"], ["", "", "F", "F", "F"], ["", "", "MO", "MO", "MO"],
     [1, 2, 1, 2, 1], ["S1", "S2"]),
    (["M", "SP", "C"], ["", "", "M"], ["", "", "SP"], [1, 2, 1], ["SP", "C"]),
    (["F", "MO", "M", "S1"], ["", "", "F", "F"], ["", "", "MO", "MO"], [1, 2, 1, 2],
     ["F", "S1"]),
    (["F", "MO", "M", "S1", "S2"], ["", "", "F", "F", "F"], ["", "", "MO", "MO", "MO"],
     [1, 2, 1, 2, 1], ["MO", "S1", "S2"]),
]  # fmt: skip


def markers23() -> dict[str, Marker]:
    """Return the 23 benchmark loci from the bundled norSTR table."""
    table = load_frequency_table()
    return {k: table[k] for k in LOCI}


def gene_drop(
    ped: Pedigree, markers: dict[str, Marker], count: int, rng: np.random.Generator
) -> dict[str, dict[str, np.ndarray]]:
    """Vectorised gene dropping: ``{id: {locus: (count, 2) allele indices}}``."""
    out: dict[str, dict[str, np.ndarray]] = {i: {} for i in ped.ids}
    for name, marker in markers.items():
        al = np.zeros((len(ped), count, 2), dtype=np.int64)
        for k in ped.topological_order():
            for side, par in ((0, ped.father[k]), (1, ped.mother[k])):
                if par < 0:
                    al[k, :, side] = rng.choice(
                        marker.n_alleles, size=count, p=marker.freqs
                    )
                else:
                    pick = rng.integers(2, size=count)
                    al[k, :, side] = al[par, np.arange(count), pick]
        for k, ident in enumerate(ped.ids):
            out[ident][name] = al[k]
    return out


def simulate(
    n_victims: int, n_families: int, markers: dict[str, Marker], seed: int = 1
) -> tuple[dict[str, dict[str, tuple[str, str]]], list[tuple[Family, str]]]:
    """Simulate victims' profiles and (family, "M") targets."""
    rng = np.random.default_rng(seed)
    targets: list[tuple[Family, str]] = []
    truth: list[dict[str, tuple[str, str]]] = []
    per = [n_families // len(TEMPLATES)] * len(TEMPLATES)
    per[0] += n_families - sum(per)
    for (ids, fid, mid, sex, refs), count in zip(TEMPLATES, per, strict=True):
        ped = Pedigree.from_lists(
            ids, [f or None for f in fid], [m or None for m in mid], sex
        )
        sim = gene_drop(ped, markers, count, rng)
        for c in range(count):
            genos = {
                r: {
                    loc: (markers[loc].alleles[a[c, 0]], markers[loc].alleles[a[c, 1]])
                    for loc, a in sim[r].items()
                }
                for r in refs
            }
            targets.append((Family(f"F{len(targets)}", ped, genos), "M"))
            truth.append(
                {
                    loc: (markers[loc].alleles[a[c, 0]], markers[loc].alleles[a[c, 1]])
                    for loc, a in sim["M"].items()
                }
            )
    victims: dict[str, dict[str, tuple[str, str]]] = {}
    n_true = min(n_victims // 10, n_families)
    for i in range(n_true):
        victims[f"V{i}"] = truth[i]
    for i in range(n_true, n_victims):
        victims[f"V{i}"] = {
            loc: tuple(m.alleles[j] for j in rng.choice(m.n_alleles, size=2, p=m.freqs))
            for loc, m in markers.items()
        }  # type: ignore[misc]
    return victims, targets


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_screen(n_victims: int, n_families: int) -> None:
    """Time one screening run and print its figures."""
    markers = markers23()
    t0 = time.perf_counter()
    victims, targets = simulate(n_victims, n_families, markers)
    t1 = time.perf_counter()
    res = screen(victims, targets, markers, threshold=1e4, top_k=10)
    t2 = time.perf_counter()
    n_true = min(n_victims // 10, n_families)
    found = sum(
        1
        for c in res.candidates
        if c.victim[1:].isdigit() and c.family == f"F{c.victim[1:]}"
    )
    print(
        f"screen {n_victims} victims x {n_families} families: simulate {t1 - t0:.1f} s, "
        f"screen {t2 - t1:.1f} s, {res.n_pairs / (t2 - t1):,.0f} pairs/s, "
        f"candidates >= 1e4: {len(res.candidates)} (true found {found}/{n_true}), "
        f"peak RSS {peak_rss_mb():.0f} MB",
        flush=True,
    )


def bench_point(n_victims: int, n_families: int) -> None:
    """Time ``screen_pairs`` of a few victims at their genotypes and through
    the families' whole tables."""
    markers = markers23()
    victims, targets = simulate(max(n_victims, 10), n_families, markers)
    # The last victims: not one of the families' missing persons.
    few = dict(list(victims.items())[-n_victims:])
    out = {}
    for label, limit in (("genotypes", n_victims), ("tables", -1)):
        screen_mod.POINT_VICTIMS = limit
        t0, c0 = time.perf_counter(), time.process_time()
        out[label] = screen_mod.screen_pairs(
            few, targets, markers, threshold=0.0, dropout=0.05
        )
        print(
            f"screen_pairs {len(few)} victim(s) x {n_families} families, {label}: "
            f"{time.perf_counter() - t0:.2f} s ({time.process_time() - c0:.2f} s CPU), "
            f"{len(out[label][1])} pairs",
            flush=True,
        )
    a, b = out["genotypes"], out["tables"]
    same = np.array_equal(a[2], b[2])
    diff = float(np.max(np.abs(a[3] - b[3]))) if same and len(a[3]) else float("nan")
    print(f"same pairs: {same}; largest difference of log10 LR: {diff:.3g}", flush=True)


def bench_joint() -> None:
    """Time ``joint`` on the example cases and on 17 victims x 50 families."""
    root = Path(__file__).resolve().parents[1] / "tests" / "data" / "dvi-examples"
    for path in sorted(glob.glob(str(root / "*.json"))):
        t0 = time.perf_counter()
        res = joint(load_case(path), top=10)
        print(
            f"joint {Path(path).stem}: {time.perf_counter() - t0:.2f} s "
            f"({res.n_assignments} assignments, exact={res.exact})",
            flush=True,
        )
    markers = markers23()
    victims, targets = simulate(170, 50, markers, seed=7)
    case = Case(
        markers,
        {v: Victim(v, 0, victims[v]) for v in list(victims)[:17]},
        {f.name: f for f, _ in targets},
        [],
    )
    # Each family's missing person gets a unique id.
    for fam, _ in targets:
        ped = fam.pedigree
        ids = tuple(f"{fam.name}:{i}" for i in ped.ids)
        fam.pedigree = Pedigree(ids, ped.father, ped.mother, ped.sex)
        fam.genotypes = {f"{fam.name}:{k}": g for k, g in fam.genotypes.items()}
        case.missing.append(f"{fam.name}:M")
    t0 = time.perf_counter()
    res = joint(case, top=5)
    print(
        f"joint 17 victims x 50 families: {time.perf_counter() - t0:.2f} s "
        f"({res.n_assignments} assignments, exact={res.exact}, "
        f"best LR {res.assignments[0].lr:.3g})",
        flush=True,
    )


def main() -> None:
    """Parse options and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--victims", type=int, default=None)
    parser.add_argument("--families", type=int, default=None)
    parser.add_argument(
        "--joint", action="store_true", help="only the joint benchmarks"
    )
    parser.add_argument(
        "--point",
        action="store_true",
        help="a few victims against many families: at their genotypes or by tables",
    )
    args = parser.parse_args()
    if args.point:
        bench_point(args.victims or 1, args.families or 8000)
        return
    if args.joint:
        bench_joint()
        return
    if args.victims or args.families:
        bench_screen(args.victims or 1000, args.families or 1000)
        return
    for v, f in ((1000, 1000), (1000, 10000), (10000, 50000)):
        bench_screen(v, f)
    bench_joint()


if __name__ == "__main__":
    main()

"""Benchmark: read + reconcile ~100k journal rows (not a unit test).

    .venv/bin/python benchmarks/bench_linkage.py --scale 115 [--engine duckdb|spark]

Generates the journals with the simulator (``imena.simulation --scale``) unless
``--dir`` points at an existing output, then times reading and reconciling and
reports peak RSS (ru_maxrss of this process, which includes DuckDB's memory;
for Spark the JVM is a child process and is reported separately).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=115)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--engine", default="duckdb")
    ap.add_argument("--evaluate", action="store_true")
    a = ap.parse_args()
    out = Path(a.dir or f"/tmp/imena-bench-s{a.seed}-x{a.scale}")
    if not (out / "journals" / "volunteers.csv").exists():
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "imena.simulation", "--seed", str(a.seed),
             "--out", str(out), "--scale", str(a.scale)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        print(f"simulate: {time.perf_counter() - t:.1f} s")

    from linkage.io import read_journal
    from linkage.reconcile import reconcile

    t0 = time.perf_counter()
    rows = []
    for f in ("funeral_home", "volunteers"):
        rows += read_journal(out / "journals" / f"{f}.csv").rows
    t1 = time.perf_counter()
    res = reconcile(rows, engine=a.engine)
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"engine={a.engine} rows={len(rows)} read={t1 - t0:.1f}s "
        f"reconcile={t2 - t1:.1f}s total={t2 - t0:.1f}s pairs={len(res.pairs_frame)} "
        f"clusters={len(res.clusters)} peak_rss={rss:.0f}MB children_rss={child:.0f}MB"
    )
    for note in res.notes:
        print(f"note: {note}")
    if a.evaluate:
        from linkage.evaluate import (
            grave_name_accuracy,
            load_simulator_truth,
            pairwise_scores,
        )

        truth = load_simulator_truth(out)
        s = pairwise_scores(res.row_cluster, truth.row_person)
        acc, n = grave_name_accuracy(res, truth)
        print(
            f"P={s.precision:.4f} R={s.recall:.4f} F1={s.f1:.4f} graves={acc:.4f}/{n}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the simulator at the default size and at the scale that gives ~100k journal rows.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_simulate.py [--scale 117] [--seed 1] [--keep DIR]

Each size runs in a fresh subprocess so that peak memory is measured per run. CPU
seconds are the figure to compare on a shared machine; wall seconds include waiting
for the cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from imena.simulation import simulate
seed, out, scale = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
c = time.process_time()
s = simulate(seed, out, scale=scale)
elapsed = time.perf_counter() - t
cpu = time.process_time() - c
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "graves": s.graves, "bodies": s.bodies,
                  "journal_rows": s.journal_rows, "funeral_rows": s.funeral_rows,
                  "volunteer_rows": s.volunteer_rows, "reports": s.reports,
                  "families": s.families, "bytes": sum(s.files.values()),
                  "files": s.files,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(seed: int, scale: int, out: Path) -> dict[str, object]:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(seed), str(out), str(scale)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(res.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scale",
        type=int,
        default=117,
        help="the large run's scale (117 gives about 100k journal rows)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep outputs under DIR"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        print(
            f"{'scale':>5} {'graves':>7} {'bodies':>7} {'journal rows':>12} "
            f"{'wall s':>7} {'CPU s':>6} {'MB':>7} {'peak RSS MB':>11}"
        )
        for scale in (1, args.scale):
            start = time.perf_counter()
            r = run(args.seed, scale, base / f"scale{scale}")
            wall = time.perf_counter() - start
            print(
                f"{scale:>5} {r['graves']:>7} {r['bodies']:>7} {r['journal_rows']:>12} "
                f"{r['seconds']:>7.1f} {r['cpu_seconds']:>6.1f} "
                f"{int(r['bytes']) / 1e6:>7.1f} "  # type: ignore[call-overload]
                f"{r['peak_rss_mb']:>11.0f}   (process incl. start-up {wall:.1f} s)"
            )
            for name, size in sorted(r["files"].items()):  # type: ignore[attr-defined]
                print(f"        {name:<28} {size / 1e6:8.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``imena reconcile`` on one journal whose rows all carry one name
(#19 row 16; not a unit test).

    .venv/bin/python benchmarks/bench_one_name.py [--rows 60000] [--name NAME]
        [--limit-mb 2048] [--max-seconds 60]

Writes a CSV journal of ``--rows`` different people who share one name (each
at their own grave, with their own birth date, death dates over two years,
burial 1-4 days after death), then runs ``python -m imena reconcile`` on it in
a child process under a memory limit: the child is killed as soon as its
resident memory passes ``--limit-mb``. (An address-space limit, ``ulimit -v``
or ``RLIMIT_DATA``, does not work for this: DuckDB's threads and allocator
reserve far more address space than they use.) Prints the wall time, the peak
RSS and the number of candidate pairs; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_journal(path: Path, n: int, name: str, seed: int) -> None:
    rng = random.Random(seed)
    start = dt.date(2022, 3, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["№ могили", "ПІБ", "Дата народження", "Дата смерті",
                    "Дата поховання"])  # fmt: skip
        for i in range(n):
            death = start + dt.timedelta(days=rng.randrange(730))
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
            burial = death + dt.timedelta(days=rng.randrange(1, 5))
            w.writerow([i + 1, name, f"{birth:%d.%m.%Y}", f"{death:%d.%m.%Y}",
                        f"{burial:%d.%m.%Y}"])  # fmt: skip


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=60_000)
    ap.add_argument("--name", default="Вигаданенко Тарас Петрович")  # synthetic
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit-mb", type=float, default=2048)
    ap.add_argument("--max-seconds", type=float, default=60)
    ap.add_argument("--dir", default="/tmp/imena-bench-one-name")
    a = ap.parse_args()
    out = Path(a.dir)
    out.mkdir(parents=True, exist_ok=True)
    journal = out / f"one_name_{a.rows}.csv"
    write_journal(journal, a.rows, a.name, a.seed)

    from linkage.io import read_journal
    from linkage.reconcile import count_candidate_pairs

    pairs = count_candidate_pairs(read_journal(journal).rows)
    t = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "imena", "reconcile", str(journal),
         "--out", str(out / "clusters.csv")],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    killed = threading.Event()

    def watch() -> None:
        while child.poll() is None:
            if rss_mb(child.pid) > a.limit_mb:
                killed.set()
                child.kill()
                return
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read() if child.stderr else ""
    peak = usage.ru_maxrss / 1024
    summary = [ln for ln in err.splitlines() if "rows," in ln]
    print(
        f"rows={a.rows} name={a.name!r} candidate_pairs={pairs} "
        f"wall={wall:.1f}s peak_rss={peak:.0f}MB limit={a.limit_mb:.0f}MB "
        f"exit={child.returncode}"
        + (" KILLED (memory limit)" if killed.is_set() else "")  # fmt: skip
    )
    if summary:
        print(summary[-1])
    elif err:
        print(err[-2000:], file=sys.stderr)
    ok = child.returncode == 0 and not killed.is_set() and wall < a.max_seconds
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

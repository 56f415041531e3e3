"""Memory of computing all sites, step by step and per process (issue #13 item 3).

    DATABASE_URL=postgres://… IMENA_DATA_DIR=D .venv/bin/python benchmarks/compute_memory.py [K] [WORKERS]

Reads the shared inputs as ``compute_all.sites_compute`` does
(``compute_all.compact_inputs``: the open reports and the DNA LRs of every body)
and prints this process's RSS and PSS after reading and after returning the
freed memory (``compute_all.release_free_memory``), then computes and stores
the ``K`` largest sites (default 4; 0: all) in ``WORKERS`` processes (default
2) and prints, every 15 seconds and at the end, each process's RSS, PSS,
private and shared dirty pages and their summed PSS (the peak is sampled each
second). Stores runs: use a copy of the database.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from imena.accounts.models import Organisation  # noqa: E402
from imena.burials.models import Site  # noqa: E402
from imena.exhumations.models import Body  # noqa: E402
from imena.identification import compute_all  # noqa: E402

FIELDS = ("Rss", "Pss", "Private_Dirty", "Shared_Dirty")


def rollup(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in FIELDS:
                    out[key] = int(value.split()[0]) // 1024
    except OSError:
        pass
    return out


def processes() -> list[int]:
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [me, *(int(p) for p in f.read().split())]
    except OSError:
        return [me]


T0 = time.perf_counter()
peak: dict[str, Any] = {"sum": 0, "at": None}


def say(name: str, **extra: Any) -> None:
    me = rollup(os.getpid())
    print(
        f"{time.perf_counter() - T0:7.1f} s, CPU {time.process_time():7.1f} s {name}: "
        f"RSS {me.get('Rss')} MB, PSS {me.get('Pss')} MB, peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB "
        f"{json.dumps(extra) if extra else ''}",
        flush=True,
    )


def sample() -> None:
    n = 0
    while True:
        rows = [rollup(p) for p in processes()]
        total = sum(r.get("Pss", 0) for r in rows)
        if total > peak["sum"]:
            peak["sum"], peak["at"] = total, rows
        n += 1
        if n % 15 == 0:
            print(
                f"  [{time.perf_counter() - T0:7.1f} s] summed PSS {total} MB, load "
                f"{os.getloadavg()[0]:.2f}: " + " | ".join(json.dumps(r) for r in rows),
                flush=True,
            )
        time.sleep(1.0)


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    threading.Thread(target=sample, daemon=True).start()
    org = Organisation.objects.get(code="demo")
    sites = [
        s
        for s in Site.objects.filter(organisation=org).order_by("pk")
        if Body.objects.filter(grave__site=s).exists()
    ]
    say("start", sites=len(sites), load=os.getloadavg())
    shared = compute_all.compact_inputs(org, sites)
    assert shared.dna is not None
    say("compact_inputs", persons=len(shared.persons), pairs=len(shared.dna[0]))
    compute_all.release_free_memory()
    say("release_free_memory")
    sizes = compute_all._body_counts(sites)
    order = sorted(sites, key=lambda s: (-sizes.get(s.pk, 0), s.pk))
    chosen = order[:k] if k else order
    runs = compute_all.sites_compute(
        actor=None, organisation=org, sites=chosen, shared=shared, workers=workers
    )
    say(
        "sites",
        runs=len(runs),
        forked_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        // 1024,
        peak_summed_pss_mb=peak["sum"],
        at_peak=peak["at"],
    )


if __name__ == "__main__":
    main()

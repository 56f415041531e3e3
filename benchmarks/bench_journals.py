"""Benchmark: import + reconcile of simulated journals through the Django app.

    .venv/bin/python benchmarks/bench_journals.py --scale 117   # ~100k journal rows
    .venv/bin/python benchmarks/bench_journals.py --scale 1 --engine spark

Runs in a throwaway SQLite database; prints rows, seconds per stage and peak RSS.
Not a test: targets (100k rows under 60 s and 2 GB) are checked by reading the output.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=117)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from imena.core.tempdb import temporary_database
    from imena.simulation import simulate

    with tempfile.TemporaryDirectory(prefix="imena-bench-") as tmp:
        out = Path(tmp) / "scenario"
        t0 = time.perf_counter()
        simulate(seed=args.seed, out=out, scale=args.scale)
        t_sim = time.perf_counter() - t0
        with temporary_database(Path(tmp) / "bench.sqlite3"):
            from imena.accounts.models import Organisation
            from imena.burials.scenario import load_scenario as load_sites
            from imena.core.scenario import ScenarioContext
            from imena.journals import services
            from imena.journals.scenario import SCENARIO_JOURNALS

            org = Organisation.objects.create(name="bench", code="bench")
            context = ScenarioContext(directory=out, organisation=org, actor=None)
            load_sites(context)
            site = next(iter(context.sites.values()))
            t1 = time.perf_counter()
            rows = 0
            for file_name, name in SCENARIO_JOURNALS.items():
                journal = services.journal_get_or_create(
                    actor=None, site=site, name=name
                )
                result = services.journal_import(
                    actor=None,
                    journal=journal,
                    path=out / "journals" / file_name,
                    filename=file_name,
                )
                rows += result.source_import.row_count
            t2 = time.perf_counter()
            run = services.reconcile_site(actor=None, site=site, engine=args.engine)
            t3 = time.perf_counter()
    print(f"engine: {args.engine}")
    print(f"journal rows: {rows} (scale {args.scale}, seed {args.seed})")
    print(f"simulate: {t_sim:.1f} s (not counted)")
    print(f"import: {t2 - t1:.1f} s")
    print(f"reconcile (model + storing the result): {t3 - t2:.1f} s")
    print(f"import + reconcile: {t3 - t1:.1f} s")
    print(f"people: {run.cluster_count}, conflicts: {run.conflict_count}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

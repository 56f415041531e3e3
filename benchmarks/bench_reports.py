"""Benchmark: statistics and site plan of a 10,000-grave site; XLSX of 100k rows.

    .venv/bin/python benchmarks/bench_reports.py            # 10k-grave site, 100k-row XLSX
    .venv/bin/python benchmarks/bench_reports.py --rows 20000

Runs in a throwaway SQLite database. Prints seconds per page (best and median
of 5, through Django's test client: query + template + SVG) and, for the
exports, the time and peak RSS of a separate process that does nothing but
the export, next to the peak RSS of the same process exporting 1,000 rows
(so the growth with row count is visible). Not a test: the targets (under 1 s;
bounded memory) are checked by reading the output.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(db: Path) -> None:
    os.environ["SQLITE_PATH"] = str(db)
    os.environ["IMENA_DATA_DIR"] = str(db.parent)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def add_graves(site, n: int, rng: random.Random) -> None:
    from imena.burials.models import Grave, GraveKind, GraveStatus

    statuses = list(GraveStatus.values)
    side = int(n**0.5) + 1
    batch = []
    for i in range(n):
        batch.append(
            Grave(
                site=site,
                ref=f"G{i + 1:06d}",
                marker_text=f"№ {i + 1}",
                number=str(i + 1),
                kind=GraveKind.MASS if i == n // 2 else GraveKind.INDIVIDUAL,
                bodies_expected=17 if i == n // 2 else None,
                x=(i % side) * 2.5,
                y=(i // side) * 3.0,
                lat=49.19 + (i // side) * 2.7e-5,
                lon=37.28 + (i % side) * 3.4e-5,
                status=rng.choice(statuses),
                notes="=1+1" if i % 1000 == 0 else "",
            )
        )
        if len(batch) == 5000:
            Grave.objects.bulk_create(batch)
            batch = []
    Grave.objects.bulk_create(batch)


def timed(fn, runs: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def child(db: Path, code: str, fmt: str) -> None:
    """Only the export, in its own process, so that its peak RSS is its own."""
    setup(db)
    from imena.burials.models import Site
    from imena.reports.access import Audience
    from imena.reports.exports import export_table

    site = Site.objects.get(code=code)
    base = peak_rss_mb()
    t0 = time.perf_counter()
    export = export_table(
        Audience(organisation_id=site.organisation_id), site, "graves", fmt
    )
    seconds = time.perf_counter() - t0
    print(
        f"{export.rows}\t{seconds:.2f}\t{base:.0f}\t{peak_rss_mb():.0f}\t{export.size}"
    )
    export.path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--graves", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], args.child[2])
        return 0

    with tempfile.TemporaryDirectory(prefix="imena-bench-") as tmp:
        db = Path(tmp) / "bench.sqlite3"
        setup(db)
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment
        from django.urls import reverse

        call_command("migrate", interactive=False, verbosity=0)
        setup_test_environment()
        from imena.accounts.models import Organisation, Role, User
        from imena.burials.models import Site

        rng = random.Random(7)
        org = Organisation.objects.create(name="Bench", code="bench")
        user = User.objects.create(
            username="inv", organisation=org, role=Role.INVESTIGATOR
        )
        site = Site.objects.create(
            organisation=org, code="s10k", name="Bench 10k", lat=49.19, lon=37.28
        )
        t0 = time.perf_counter()
        add_graves(site, args.graves, rng)
        small = Site.objects.create(organisation=org, code="s1k", name="Bench 1k")
        add_graves(small, 1000, rng)
        big = Site.objects.create(organisation=org, code="s100k", name="Bench 100k")
        add_graves(big, args.rows, rng)
        print(
            f"set-up: {args.graves + 1000 + args.rows} graves in "
            f"{time.perf_counter() - t0:.1f} s"
        )

        client = Client()
        client.force_login(user)
        pages = {
            "statistics page": reverse("reports:site_statistics", args=[site.pk]),
            "site plan page": reverse("reports:site_plan", args=[site.pk]),
            "site plan SVG": reverse("reports:site_plan_svg", args=[site.pk]),
        }
        print(f"\n{args.graves} graves on one site (best / median of 5, seconds):")
        for name, url in pages.items():
            size = len(client.get(url).content)
            best, median = timed(lambda url=url: client.get(url))
            print(f"  {name:16s} {best:.3f} / {median:.3f}   ({size / 1e6:.2f} MB)")

        print(
            "\nexports in a separate process: rows, seconds, RSS after set-up, peak RSS, bytes"
        )
        for code in ("s1k", "s100k"):
            for fmt in ("xlsx", "csv"):
                out = (
                    subprocess.run(
                        [sys.executable, __file__, "--child", str(db), code, fmt],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    .stdout.strip()
                    .split("\t")
                )
                rows, secs, base, peak, size = out
                print(
                    f"  {fmt:4s} {int(rows):>7d} rows  {secs:>6s} s  set-up {base} MB  "
                    f"peak {peak} MB  {int(size) / 1e6:.1f} MB file"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

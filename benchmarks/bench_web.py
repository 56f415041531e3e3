"""Benchmark: 20 concurrent users on the main pages, served by gunicorn (issue #13).

    .venv/bin/python benchmarks/bench_web.py                     # one-site demo, SQLite
    .venv/bin/python benchmarks/bench_web.py --national          # the national preset
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_web.py --national
    .venv/bin/python benchmarks/bench_web.py --national --compute  # with candidates, screening
    .venv/bin/python benchmarks/bench_web.py --skip-load --data-dir DIR   # reuse a load
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_web.py --national \
        --skip-load --data-dir DIR                # a database loaded earlier (same DIR)
    ... --steady                  # only after every user has logged in (--reset-stats)

Loads the demo scenario (``imena demo --no-serve``, with ``--national`` for the
national preset) into a data folder of its own, starts ``imena serve`` (gunicorn,
DEBUG off, as in production), and drives it with Locust (headless) using
``benchmarks/locustfile.py``: examiners on the grave list, body list, candidates
of a body, review queue, statistics and their work list; liaison officers on
the missing-person search; DNA analysts on screening results. Prints p50/p95 and
failures per page, and writes them to ``benchmarks/results/web.json``. The target
(p95 < 300 ms, no errors) is read from the output, never asserted in a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PY = sys.executable
LOGIN = ("login", "login form")


def bench_env(data_dir: Path) -> dict[str, str]:
    """One environment for loading and serving (same keys, same data folder)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = data_dir / "bench-keys.json"
    if not keys.exists():
        keys.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(50),
                    "IMENA_AUDIT_KEY": secrets.token_urlsafe(50),
                    "IMENA_FAMILY_LIAISON_CONTACT": "Benchmark liaison office",
                }
            )
        )
    env = dict(os.environ)
    env.update(json.loads(keys.read_text()))
    env.update(
        {
            "DEBUG": "False",
            "IMENA_DATA_DIR": str(data_dir),
            "IMENA_EVIDENCE_ROOT": str(data_dir / "evidence"),
            "IMENA_STATIC_ROOT": str(data_dir / "static"),
            "IMENA_AUDIT_ANCHOR_DIR": str(data_dir / "audit-anchors"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # imena serve refuses to start without it (synthetic office).
            "IMENA_FAMILY_LIAISON_CONTACT": "Demo liaison office, +380 00 000 0000",
            # The simulated users log in many times from one address.
            "IMENA_LOGIN_FAILURE_LIMIT": "1000",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def load(env: dict[str, str], national: bool, compute: bool = False) -> float:
    cmd = [PY, "-m", "imena", "demo", "--no-serve"]
    cmd += ["--national"] if national else []
    cmd += ["--compute"] if compute else []
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


TARGETS_SCRIPT = r"""
import json, random
from imena.burials.models import Site
from imena.exhumations.models import Body
from imena.missing.models import MissingPerson
from imena.identification.models import ScreeningRun
rng = random.Random(1)
def sample(qs, n):
    ids = list(qs.values_list("pk", flat=True)[:5000])
    return rng.sample(ids, min(n, len(ids)))
names = list(MissingPerson.objects.values_list("family_name", flat=True)[:5000])
print(json.dumps({
    "sites": sample(Site.objects.all(), 40),
    "bodies": sample(Body.objects.all(), 300),
    "screenings": sample(ScreeningRun.objects.all(), 20),
    "surnames": rng.sample(names, min(100, len(names))),
}))
"""


def targets(env: dict[str, str]) -> dict[str, list]:
    out = subprocess.run(
        [PY, "-m", "imena", "shell", "-c", TARGETS_SCRIPT],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def run_locust(env, host, users, seconds, prefix, steady=False) -> list[dict[str, str]]:
    subprocess.run(
        [
            str(Path(PY).with_name("locust")),
            "-f",
            str(ROOT / "benchmarks/locustfile.py"),
            "--headless",
            "--only-summary",
            "-u",
            str(users),
            "-r",
            "2",
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
        ]
        # Statistics from the moment every user has logged in (password hashing
        # of 20 logins in 10 s saturates 2 cores and delays the first pages).
        + (["--reset-stats"] if steady else []),
        env=env,
        cwd=ROOT,
        check=False,
    )
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--national", action="store_true", help="load the national preset")
    ap.add_argument(
        "--compute",
        action="store_true",
        help="load with identification and screening computed (imena demo --compute)",
    )
    ap.add_argument(
        "--skip-load",
        action="store_true",
        help="reuse the data folder (and DATABASE_URL's database) of an earlier load",
    )
    ap.add_argument("--data-dir", type=Path, default=RESULTS / "web-data")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument(
        "--steady",
        action="store_true",
        help="count only requests after every user has logged in (Locust "
        "--reset-stats; failures before that moment are not counted either)",
    )
    a = ap.parse_args()

    env = bench_env(a.data_dir)
    result: dict[str, object] = {
        "database": "postgresql" if env.get("DATABASE_URL") else "sqlite",
        "national": a.national,
        "users": a.users,
        "seconds": a.seconds,
        "workers": a.workers,
        "threads": int(env.get("IMENA_WEB_THREADS", "4")),
        "steady": a.steady,
    }
    if not a.skip_load:
        result["load_seconds"] = round(load(env, a.national, a.compute), 1)
        print(f"load: {result['load_seconds']} s", flush=True)
    else:
        # The served code may carry migrations (indexes) the earlier load lacks.
        subprocess.run(
            [PY, "-m", "imena", "migrate", "-v0"], env=env, cwd=ROOT, check=True
        )
    # As after any bulk load: the statistics page shows stored record counts.
    subprocess.run(
        [PY, "-m", "imena", "report", "counts", "--stale"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    env["IMENA_LOCUST_TARGETS"] = json.dumps(targets(env))
    host = f"http://127.0.0.1:{a.port}"
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "imena",
            "serve",
            "--bind",
            f"127.0.0.1:{a.port}",
            "--workers",
            str(a.workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(host + "/healthz")
        before = os.getloadavg()[0]
        rows = run_locust(
            env, host, a.users, a.seconds, a.data_dir / "locust", a.steady
        )
        # The machine's load (1-minute average) around the run: latencies on a
        # shared machine are only comparable at a similar load.
        loads = [round(before, 1), round(os.getloadavg()[0], 1)]
        result["load_average"] = loads
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    pages = {}
    print(f"{'page':<24}{'requests':>9}{'failures':>9}{'p50 ms':>8}{'p95 ms':>8}")
    for row in rows:
        name = row["Name"]
        pages[name] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
        }
        p = pages[name]
        print(
            f"{name:<24}{p['requests']:>9}{p['failures']:>9}"
            f"{p['p50_ms']:>8.0f}{p['p95_ms']:>8.0f}"
        )
    result["pages"] = pages
    # Logging in (password hashing) is not a page; the target is about pages.
    served = {n: p for n, p in pages.items() if n not in LOGIN and n != "Aggregated"}
    worst = max((p["p95_ms"] for p in served.values()), default=0.0)
    errors = sum(p["failures"] for p in served.values())
    result["worst_p95_ms"], result["page_failures"] = worst, errors
    print(
        f"worst page p95 {worst:.0f} ms, {errors} failed requests "
        f"(target: p95 < 300 ms, no errors); load average "
        f"{loads[0]} before, {loads[1]} after"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

"""Benchmark: the national scenario end to end, one phase at a time (issue #13).

    .venv/bin/python benchmarks/bench_national.py                   # full preset
    .venv/bin/python benchmarks/bench_national.py --sites 4 --missing 5500
    .venv/bin/python benchmarks/bench_national.py --phases simulate,load_sqlite
    .venv/bin/python benchmarks/bench_national.py --scenario DIR --json out.json

Phases (``PHASES``, run in this order, each in a child process so that its
peak RSS is its own):

- ``simulate``: ``imena simulate --national`` (or ``--sites/--missing``).
- ``load_sqlite``: migrate a fresh SQLite file, then ``demo_load`` the scenario
  (data only, ``compute=False``: what ``imena demo --national`` loads).
- ``load_postgresql``: the same on a throwaway PostgreSQL server (as
  ``scripts/test.sh`` starts one; ``--pg-port``).

To add a phase (compute timings, a Locust run), write ``phase_<name>(ctx) ->
dict`` and add it to ``PHASES``; the context holds the scenario folder and the
database URLs, and a load phase may ``keep`` its database for the next phase
(``--keep-db``). Prints one line per phase and, with ``--json``, writes every
phase's figures to one JSON file. Not a test: targets (load < 15 min, < 8 GB on
each database) are checked by reading the output.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Context:
    seed: int
    sites: int | None
    missing: int | None
    work: Path
    scenario: Path
    pg_port: int
    keep_db: bool = False
    databases: dict[str, str] = field(default_factory=dict)  # phase -> URL kept
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def _child(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (repository first on the path); it
    prints one JSON object as its last line."""
    started = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    if res.returncode != 0:
        sys.stderr.write(res.stderr[-4000:])
        raise SystemExit(f"phase failed (exit {res.returncode})")
    out: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    out["process_seconds"] = round(time.perf_counter() - started, 1)
    return out


SIMULATE = """
import json, resource, sys, time
from pathlib import Path
from imena.simulation import simulate
seed, out = int(sys.argv[1]), Path(sys.argv[2])
sites = int(sys.argv[3]) if sys.argv[3] != "-" else None
missing = int(sys.argv[4]) if sys.argv[4] != "-" else None
t, c = time.perf_counter(), time.process_time()
s = simulate(seed, out, national=True, sites=sites, missing=missing)
print(json.dumps({"seconds": round(time.perf_counter() - t, 1),
    "cpu_seconds": round(time.process_time() - c, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "sites": s.sites, "graves": s.graves, "bodies": s.bodies,
    "journal_rows": s.journal_rows, "reports": s.reports, "families": s.families,
    "reference_profiles": s.references, "pm_profiles": s.pm_profiles,
    "megabytes": round(sum(s.files.values()) / 1e6, 1)}))
"""

LOAD = """
import json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.management import call_command
from django.db import connection
t = time.perf_counter()
call_command("migrate", interactive=False, verbosity=0)
migrate = time.perf_counter() - t
from imena.demo.services import demo_load
t, c = time.perf_counter(), time.process_time()
r = demo_load(scenario_dir=Path(sys.argv[1]), progress=sys.argv[2] == "1", compute=False)
print(json.dumps({"seconds": round(time.perf_counter() - t, 1),
    "cpu_seconds": round(time.process_time() - c, 1),
    "migrate_seconds": round(migrate, 1), "vendor": connection.vendor,
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "summary": r.summary}))
"""


def phase_simulate(ctx: Context) -> dict[str, Any]:
    if (ctx.scenario / "manifest.json").exists():
        return {"skipped": f"{ctx.scenario} exists"}
    return _child(
        SIMULATE,
        str(ctx.seed),
        str(ctx.scenario),
        str(ctx.sites) if ctx.sites is not None else "-",
        str(ctx.missing) if ctx.missing is not None else "-",
    )


def _load(ctx: Context, url: str) -> dict[str, Any]:
    progress = "1" if sys.stderr.isatty() else "0"
    return _child(LOAD, str(ctx.scenario), progress, env={"DATABASE_URL": url})


def phase_load_sqlite(ctx: Context) -> dict[str, Any]:
    path = ctx.work / "national.sqlite3"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    out = _load(ctx, url)
    out["database_mb"] = round(path.stat().st_size / 1e6)
    if ctx.keep_db:
        ctx.databases["sqlite"] = url
    else:
        path.unlink(missing_ok=True)
    return out


def start_postgres(port: int) -> tuple[str, Callable[[], None]]:
    """A throwaway PostgreSQL server on loopback (as ``scripts/test.sh``)."""
    base = Path(tempfile.mkdtemp(prefix="imena-pg-"))
    initdb = (
        shutil.which("initdb")
        or sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1].as_posix()
    )
    bindir = Path(initdb).resolve().parent
    data = base / "data"
    root = os.geteuid() == 0

    def run(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if root else list(cmd)
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL)

    if root:
        shutil.chown(base, "postgres")
    run(str(bindir / "initdb"), "-D", str(data), "-U", "imena", "-A", "trust",
        "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
        "-o", f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off "
        "-c full_page_writes=off -c synchronous_commit=off", "start")  # fmt: skip
    run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "imena",
        "imena")  # fmt: skip

    def stop() -> None:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)

    return f"postgres://imena@127.0.0.1:{port}/imena", stop


def phase_load_postgresql(ctx: Context) -> dict[str, Any]:
    url, stop = start_postgres(ctx.pg_port)
    if ctx.keep_db:
        ctx.databases["postgresql"] = url
        ctx.cleanup.append(stop)
        return _load(ctx, url)
    try:
        return _load(ctx, url)
    finally:
        stop()


#: name -> phase; natid adds compute and Locust phases here.
PHASES: dict[str, Callable[[Context], dict[str, Any]]] = {
    "simulate": phase_simulate,
    "load_sqlite": phase_load_sqlite,
    "load_postgresql": phase_load_postgresql,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--sites", type=int, default=None, help="default: preset")
    parser.add_argument("--missing", type=int, default=None, help="default: preset")
    parser.add_argument("--scenario", type=Path, help="an existing scenario folder")
    parser.add_argument("--work", type=Path, help="folder for databases (kept)")
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--pg-port", type=int, default=5581)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()
    names = [n for n in args.phases.split(",") if n]
    unknown = [n for n in names if n not in PHASES]
    if unknown:
        parser.error(f"unknown phase(s) {unknown}; known: {list(PHASES)}")
    tmp = tempfile.mkdtemp(prefix="imena-national-")
    work = args.work or Path(tmp)
    work.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        seed=args.seed,
        sites=args.sites,
        missing=args.missing,
        work=work,
        scenario=args.scenario or work / "scenario",
        pg_port=args.pg_port,
        keep_db=args.keep_db,
    )
    results: dict[str, Any] = {
        "seed": args.seed,
        "sites": args.sites,
        "missing": args.missing,
        "scenario": str(ctx.scenario),
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "phases": {},
    }
    try:
        for name in names:
            print(f"== {name}", flush=True)
            out = PHASES[name](ctx)
            results["phases"][name] = out
            print(json.dumps(out, ensure_ascii=False), flush=True)
    finally:
        for stop in ctx.cleanup:
            stop()
        if not args.work:
            shutil.rmtree(tmp, ignore_errors=True)
    results["load_average_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
- ``identification``: on the database kept by a load phase (``--keep-db``; else
  it loads the scenario into its own SQLite file first, untimed), reads the
  engine inputs (``services.shared_inputs``, ``site_inputs``) and times what
  ``imena evaluate identification`` computes for every site: the AM records and
  blocking keys (once), the DNA LRs of all bodies against every family (once),
  each site's blocked, vectorised candidates and posteriors
  (``engine.compute_site``), then storing them (``services._store``).
  ``--id-persons N`` / ``--id-sites S`` replicate the inputs read up to N open
  reports and S sites (clones with new ids; a cloned report keeps its family's
  genotypes, so true families have clones: more DNA hits than in a real
  register), to time the preset's size from a smaller load; nothing is stored
  then.
  ``--database URL`` computes on an already loaded database. ``--incremental``
  keeps an ``engine.SiteCache`` per site and then times two incremental
  updates: a new typed report and a new untyped one (every site), and a
  corrected PM record (one site).
- ``screening``: the national DNA screening (``imena dna screen --national``:
  every current PM profile against every open family, stored) with the demo's
  parameters, then one new PM profile and two new reference profiles stored,
  each updating the run: seconds and peak RSS of each (on the database a load
  phase kept, else on a scenario loaded first in its own process).
- ``updates``: the application's incremental updates (``phase_updates``): a new
  report, a corrected PM record, a new PM and a new reference profile, each
  stored through its service and then taken into account by
  ``identification_update`` with the worker's state (a ``SiteCache`` per site,
  the open reports); then ``identification_refresh`` of every site (what the
  idle worker does for the bodies the updates deferred: ``deferred_refresh``).
  ``IMENA_BENCH_PROFILE=STEP`` (e.g. ``new_report_update``) writes a profile
  of that step to ``/tmp/prof_STEP.txt``; ``IMENA_BENCH_SQL=STEP`` the SQL
  statements of that step, slowest first, with their seconds and count (their
  parameters left out), to ``/tmp/sql_STEP.txt``.
- ``compute``: on the database a load phase kept (or ``--database``), the
  national DNA screening (``--no-screening`` skips it), then every site's
  candidates as ``imena identification update`` computes them after a load:
  the open reports and the DNA LRs of every body read once, the sites in
  ``--workers`` processes (``compute_all.sites_compute``), stored. CPU seconds
  of the process and of its workers, peak memory as their summed PSS.
- ``import_sqlite``: the register as a CSV file through ``import_reports``
  (column mapping, all or nothing, duplicates proposed), then the reference
  families of ``dna/case.json`` through the bulk path: records per second.

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
    pg_durable: bool = False
    keep_db: bool = False
    import_limit: int = 10**9
    id_persons: int = 0
    id_sites: int = 0
    incremental: bool = False
    workers: int = 2
    screening: bool = True
    updates_in_place: bool = False
    updates_sites: int = 0
    updates_shards: int = 1
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


IDENTIFICATION = r"""
import json, os, resource, sys, time
from dataclasses import replace
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.management import call_command
from imena.exhumations.models import Body
from imena.identification import engine, services
from imena.identification.models import CandidateRun

persons_wanted, sites_wanted = int(sys.argv[2]), int(sys.argv[3])
incremental = sys.argv[4] == "1"
if sys.argv[1] != "-":  # no kept database: load one, untimed
    call_command("migrate", interactive=False, verbosity=0)
    from imena.demo.services import demo_load
    demo_load(scenario_dir=Path(sys.argv[1]), compute=False)
from imena.burials.models import Site
out = {}

def step(name, t0, c0, **extra):
    out[name] = {"seconds": round(time.perf_counter() - t0, 1),
                 "cpu_seconds": round(time.process_time() - c0, 1),
                 "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                 **extra}
    print(name, json.dumps(out[name]), file=sys.stderr, flush=True)

sites = [s for s in Site.objects.order_by("pk") if Body.objects.filter(grave__site=s).exists()]
t, c = time.perf_counter(), time.process_time()
shared = services.shared_inputs(sites[0].organisation)
data = {s.pk: services.site_inputs(s, shared) for s in sites}
params = {s.pk: services.site_params(s, data[s.pk]["counts"], None)[0] for s in sites}
step("read_inputs", t, c, sites=len(sites), persons=len(shared.person_inputs),
     bodies=sum(len(d["bodies"]) for d in data.values()))

persons = list(shared.person_inputs)
base = list(persons)
while len(persons) < persons_wanted:
    p = base[len(persons) % len(base)]
    persons.append(replace(p, person_id=f"c{len(persons)}-{p.person_id}"))
runs = [(s, data[s.pk], params[s.pk]) for s in sites]
while len(runs) < sites_wanted:
    s, d, prm = runs[len(runs) % len(sites)]
    tag = f"s{len(runs)}-"
    runs.append((None, {**d, "overrides": {},
        "bodies": [replace(b, body_id=tag + b.body_id, grave_id=tag + b.grave_id) for b in d["bodies"]],
        "leads": [replace(x, grave_id=tag + x.grave_id) for x in d["leads"]],
        "grave_numbers": {tag + g: n for g, n in d["grave_numbers"].items()}}, prm))
replicated = len(persons) > len(base) or len(runs) > len(sites)
n_bodies = sum(len(d["bodies"]) for _s, d, _p in runs)

t, c = time.perf_counter(), time.process_time()
table = engine.person_table(persons) if replicated else shared.table
step("am_records_and_keys", t, c, persons=len(persons))
t, c = time.perf_counter(), time.process_time()
bodies = [b for _s, d, _p in runs for b in d["bodies"]]
dna = engine.dna_lrs(bodies, persons, engine.DNA_DROPOUT, engine.dna_threshold())
step("dna_lrs", t, c, bodies=n_bodies, families=len(dna[1]), pairs_kept=len(dna[0]))
t, c = time.perf_counter(), time.process_time()
blocked = live = 0
store_seconds = 0.0
caches = [engine.SiteCache() if incremental else None for _run in runs]
for k, (s, d, prm) in enumerate(runs):
    r = engine.compute_site(d["bodies"], persons, d["leads"], prm, overrides=d["overrides"],
                            n_graves=d["n_graves"], grave_numbers=d["grave_numbers"],
                            table=table, dna=dna, cache=caches[k])
    blocked += sum(br.blocked for br in r.bodies.values())
    live += sum(len(br.live) for br in r.bodies.values())
    if not replicated:
        t1 = time.perf_counter()
        run = CandidateRun.objects.create(site=s, p_unlisted=prm.p_unlisted,
            body_count=len(d["bodies"]), person_count=len(persons))
        services._store(run, r, d)
        store_seconds += time.perf_counter() - t1
    del r
step("compute_sites", t, c, sites=len(runs), bodies=n_bodies, cached=incremental,
     pairs=n_bodies * len(persons), blocked=blocked, live=live,
     store_seconds=round(store_seconds, 1))
if incremental:
    # As the worker does after each update (``imena identification update
    # --loop``): its caches collected once and frozen (untimed).
    import gc
    gc.collect()
    gc.freeze()
    # A new report (a typed one copied, another stature): every site again.
    src = next(p for p in base if p.family)
    new = replace(src, person_id="new-report", am={**src.am, "stature_am": 171.0})
    persons.append(new)
    table = table.extended(engine.person_table([new]).records)
    def every_site(name, **extra):
        t, c = time.perf_counter(), time.process_time()
        recomputed = 0
        for k, (s, d, prm) in enumerate(runs):
            r = engine.compute_site(d["bodies"], persons, d["leads"], prm,
                                    overrides=d["overrides"], n_graves=d["n_graves"],
                                    grave_numbers=d["grave_numbers"], table=table,
                                    cache=caches[k])
            recomputed += len(r.recomputed)
            del r
        step(name, t, c, sites=len(runs), bodies=n_bodies, recomputed=recomputed, **extra)
    every_site("incremental_new_report", typed=True)
    # An untyped report (a man born 1980, no references): a candidate at
    # most bodies of his sex and age.
    src = next(p for p in base if not p.family and p.am.get("sex_am") == "male")
    new = replace(src, person_id="new-report-2", am={**src.am, "age_am": [40, 46]})
    persons.append(new)
    table = table.extended(engine.person_table([new]).records)
    every_site("incremental_new_report_untyped", typed=False)
    # A corrected PM record (stature) of a body of the first site: that site.
    s, d, prm = runs[0]
    b = d["bodies"][0]
    bodies = [replace(b, pm={**b.pm, "stature_cm": (b.pm.get("stature_cm") or 170) + 4})]
    bodies += d["bodies"][1:]
    t, c = time.perf_counter(), time.process_time()
    engine.compute_site(bodies, persons, d["leads"], prm, overrides=d["overrides"],
                        n_graves=d["n_graves"], grave_numbers=d["grave_numbers"],
                        table=table, cache=caches[0])
    step("incremental_pm_record", t, c, bodies=len(bodies))
print(json.dumps(out))
"""


def phase_identification(ctx: Context) -> dict[str, Any]:
    url = ctx.databases.get("sqlite") or ctx.databases.get("postgresql")
    if url is None:
        path = ctx.work / "identification.sqlite3"
        path.unlink(missing_ok=True)
        url, source = f"sqlite:///{path}", str(ctx.scenario)
    else:
        source = "-"
    return _child(
        IDENTIFICATION,
        source,
        str(ctx.id_persons),
        str(ctx.id_sites),
        "1" if ctx.incremental else "0",
        env={"DATABASE_URL": url},
    )


SCREENING = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.db import connection
from imena.accounts.models import Organisation
from imena.dna.models import ProfileKind
from imena.exhumations.models import Sample
from imena.identification.scenario import DEMO_PARAMETERS
from imena.identification.services import dna_profiles_upload, screening_run_national
from imena.missing.models import ReferenceSample

out = {"vendor": connection.vendor}

def rss():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

org = Organisation.objects.get(code="demo")
t, c = time.perf_counter(), time.process_time()
run = screening_run_national(actor=None, organisation=org, **DEMO_PARAMETERS)
out["full"] = {"seconds": round(time.perf_counter() - t, 1),
    "cpu_seconds": round(time.process_time() - c, 1), "peak_rss_mb": rss(),
    "bodies": run.bodies, "families": run.families, "pairs": run.pairs,
    "candidates": run.candidates, "above_threshold": run.above_threshold}
print("full", json.dumps(out["full"]), file=sys.stderr, flush=True)

def timed(name, kind, sample_id, genotypes):
    t, c = time.perf_counter(), time.process_time()
    dna_profiles_upload(actor=None, organisation=org, kind=kind,
        profiles={sample_id: {"sex": 0, "genotypes": genotypes}},
        source_format="bench", source_sha256="0" * 64)
    run.refresh_from_db()
    entry = run.warnings
    out[name] = {"seconds": round(time.perf_counter() - t, 2),
        "cpu_seconds": round(time.process_time() - c, 2), "peak_rss_mb": rss(),
        "candidates": run.candidates}
    print(name, json.dumps(out[name]), file=sys.stderr, flush=True)

pm = list(Sample.objects.filter(organisation=org, profile__isnull=False)
          .select_related("profile").order_by("sample_id")[:2])
timed("add_pm_profile", ProfileKind.POST_MORTEM, pm[0].sample_id, pm[1].profile.genotypes)
refs = [s for s in ReferenceSample.objects.filter(organisation=org, profile__isnull=False,
        reference_kind="kinship").select_related("profile").order_by("sample_id")[:50]
        if s.consent_active]
timed("add_reference_profile", ProfileKind.REFERENCE, refs[0].sample_id,
      refs[1].profile.genotypes)
timed("add_reference_profile_2", ProfileKind.REFERENCE, refs[2].sample_id,
      pm[0].profile.genotypes)
from imena.audit.models import AuditEntry
out["updates"] = [e.after_data for e in
    AuditEntry.objects.filter(action="dna.screening.update").order_by("seq")]
print(json.dumps(out))
"""


def phase_screening(ctx: Context) -> dict[str, Any]:
    """The national DNA screening of every PM profile against every family
    (``screening_run_national``, stored), then one new PM profile and two new
    reference profiles, each updating the run (``screening_update``). On the
    database a load phase kept, else on a scenario loaded first (untimed, in
    its own process)."""
    url = ctx.databases.get("sqlite") or ctx.databases.get("postgresql")
    if url is None:
        path = ctx.work / "screening.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        _load(ctx, url)
    return _child(SCREENING, env={"DATABASE_URL": url})


IMPORT = """
import csv, io, json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from imena.accounts.models import Organisation
from imena.dna.uploads import families_from_case
from imena.missing.bulk import FamilyRow, families_bulk_import
from imena.missing.tabular import import_reports
directory, limit = Path(sys.argv[1]), int(sys.argv[2])
reports = json.loads((directory / "missing/reports.json").read_text())["reports"][:limit]
cols = ["case_no", "family_name", "given_names", "patronymic", "sex", "date_of_birth",
        "last_seen_date", "last_seen_place", "circumstances", "stature_cm",
        "reporter_name", "reporter_relationship", "reporter_contact", "consent_dna"]
buf = io.StringIO()
w = csv.writer(buf, delimiter=";")
w.writerow(["Номер", "Прізвище", "Ім'я", "По батькові", "Стать", "Дата народження",
            "Востаннє бачили", "Місце", "Обставини", "Зріст", "Заявник", "Ким доводиться",
            "Контакт", "Згода ДНК"])
for r in reports:
    rp = r.get("reporting_person") or {}
    w.writerow([r["am_case_no"], r["family_name"], r["given_names"], r["patronymic"],
                r["sex"], r["date_of_birth"], r["last_seen_date"], r["last_seen_place"],
                r["circumstances"], r["stature_cm"], rp.get("name", ""),
                rp.get("relationship", ""), rp.get("contact", ""),
                "так" if r.get("dna") else "ні"])
data = buf.getvalue().encode("utf-8")
mapping = dict(zip(cols, next(csv.reader(io.StringIO(buf.getvalue()), delimiter=";"))))
org = Organisation.objects.create(name="Benchmark", code="bench")
t, c = time.perf_counter(), time.process_time()
result = import_reports(actor=None, organisation=org, data=data, filename="reports.csv",
                        mapping=mapping)
rep_s, rep_cpu = time.perf_counter() - t, time.process_time() - c
case = json.loads((directory / "dna/case.json").read_text())
fam_of = {r["am_case_no"]: r["dna"]["family_id"] for r in reports if r.get("dna")}
by_family = {fam_of[p.case_no]: p for p in result.persons if p.case_no in fam_of}
t, c = time.perf_counter(), time.process_time()
families = [f for f in families_from_case(case) if f.name in by_family]
items = [FamilyRow(row=f.name, person=by_family[f.name], family=f) for f in families]
refs = families_bulk_import(actor=None, organisation=org, items=items)
fam_s, fam_cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"reports": len(result.persons), "report_seconds": round(rep_s, 1),
    "report_cpu_seconds": round(rep_cpu, 1),
    "reports_per_second": round(len(result.persons) / rep_s),
    "reports_per_cpu_second": round(len(result.persons) / rep_cpu),
    "possible_duplicates": len(result.duplicates),
    "families": refs.families, "reference_profiles": refs.profiles,
    "reference_seconds": round(fam_s, 1), "reference_cpu_seconds": round(fam_cpu, 1),
    "profiles_per_second": round(refs.profiles / fam_s),
    "profiles_per_cpu_second": round(refs.profiles / fam_cpu),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def phase_import_sqlite(ctx: Context) -> dict[str, Any]:
    """``import_reports`` of the register as a CSV (with a column mapping), then
    the reference families of ``dna/case.json`` (bulk), in a fresh SQLite file."""
    path = ctx.work / "import.sqlite3"
    path.unlink(missing_ok=True)
    try:
        return _child(
            IMPORT,
            str(ctx.scenario),
            str(ctx.import_limit),
            env={"DATABASE_URL": f"sqlite:///{path}"},
        )
    finally:
        path.unlink(missing_ok=True)


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


def start_postgres(port: int, durable: bool = False) -> tuple[str, Callable[[], None]]:
    """A throwaway PostgreSQL server on loopback (as ``scripts/test.sh``).

    ``durable``: PostgreSQL's defaults (fsync, full-page writes, synchronous
    commit on), as a production server runs; otherwise the three are off, as in
    the tests.
    """
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
    fast = (
        ""
        if durable
        else " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    )
    run(str(bindir / "initdb"), "-D", str(data), "-U", "imena", "-A", "trust",
        "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
        "-o", f"-h 127.0.0.1 -p {port} -k {base}" + fast, "start")  # fmt: skip
    run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "imena",
        "imena")  # fmt: skip

    def stop() -> None:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)

    return f"postgres://imena@127.0.0.1:{port}/imena", stop


def phase_load_postgresql(ctx: Context) -> dict[str, Any]:
    url, stop = start_postgres(ctx.pg_port, ctx.pg_durable)
    if ctx.keep_db:
        ctx.databases["postgresql"] = url
        ctx.cleanup.append(stop)
        return _load(ctx, url)
    try:
        return _load(ctx, url)
    finally:
        stop()


COMPUTE = r"""
import json, os, resource, sys, threading, time
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
from django.db import connection
from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.exhumations.models import Body
from imena.identification import compute_all, services
from imena.identification.models import Candidate, CandidateRun
from imena.identification.scenario import DEMO_PARAMETERS

workers, screening = int(sys.argv[1]), sys.argv[2] == "1"
settings.SCREENING_TABLES_DIR = Path(sys.argv[3])
out = {"vendor": connection.vendor, "workers": workers, "cpus": os.cpu_count()}
org = Organisation.objects.get(code="demo")

def pss_mb():
    # This process and its children (the workers): proportional set sizes,
    # so the pages the forked workers share are counted once.
    total = 0
    me = os.getpid()
    pids = [me]
    try:
        pids += [int(p) for p in open(f"/proc/{me}/task/{me}/children").read().split()]
    except OSError:
        pass
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024

peak = {"pss": 0.0, "load": []}
def sample():
    while True:
        peak["pss"] = max(peak["pss"], pss_mb())
        peak["load"].append(os.getloadavg()[0])
        time.sleep(1.0)
threading.Thread(target=sample, daemon=True).start()

def rss_now_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return 0

def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime

def step(name, t0, c0, **extra):
    me, kids = cpu()
    out[name] = {"seconds": round(time.perf_counter() - t0, 1),
        "cpu_seconds": round(me - c0[0], 1),
        "workers_cpu_seconds": round(kids - c0[1], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "workers_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "peak_pss_mb": round(peak["pss"]), "load_average": os.getloadavg(), **extra}
    print(name, json.dumps(out[name]), file=sys.stderr, flush=True)

if screening:
    t, c = time.perf_counter(), cpu()
    run = services.screening_run_national(actor=None, organisation=org, **DEMO_PARAMETERS)
    step("screening", t, c, bodies=run.bodies, families=run.families, pairs=run.pairs,
         candidates=run.candidates, above_threshold=run.above_threshold)
sites = [s for s in Site.objects.filter(organisation=org).order_by("pk")
         if Body.objects.filter(grave__site=s).exists()]
t0, c0 = time.perf_counter(), cpu()
t, c = time.perf_counter(), cpu()
shared = compute_all.compact_inputs(org, sites)  # what identification_update reads
step("read_reports_and_dna_lrs", t, c, persons=len(shared.person_inputs),
     bodies_with_dna=len(shared.dna[0].rows),
     families=len(shared.dna[0].persons), pairs_kept=len(shared.dna[0]),
     rss_after_mb=rss_now_mb())
t, c = time.perf_counter(), cpu()
runs = compute_all.sites_compute(actor=None, organisation=org, sites=sites,
                                 shared=shared, workers=workers)
step("sites", t, c, sites=len(runs), bodies=sum(r.body_count for r in runs),
     persons=runs[0].person_count,
     candidates=Candidate.objects.filter(analysis__run__in=runs).count())
loads = peak["load"]
step("all_sites", t0, c0, sites=len(runs),
     mean_load_average=round(sum(loads) / max(1, len(loads)), 1))
print(json.dumps(out))
"""


def phase_compute(ctx: Context) -> dict[str, Any]:
    """What "computing all sites" costs in the application, on the database a
    load phase kept (or ``--database``): the national DNA screening (stored;
    ``--no-screening`` skips it), then the open reports and the DNA LRs of
    every body read once (``services.shared_inputs``, timed a second time
    without the DNA) and every site's candidates computed and stored by
    ``compute_all.sites_compute`` in ``--workers`` processes (what ``imena
    identification update`` does after a load). CPU seconds of this process
    and of its workers apart; the peak memory as the sum of the proportional
    set sizes of the process and its workers (sampled every second)."""
    url = ctx.databases.get("sqlite") or ctx.databases.get("postgresql")
    if url is None:
        path = ctx.work / "compute.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        _load(ctx, url)
    tables = ctx.work / "screening-tables"
    return _child(
        COMPUTE,
        str(ctx.workers),
        "1" if ctx.screening else "0",
        str(tables),
        env={"DATABASE_URL": url},
    )


#: name -> phase.
UPDATES = r"""
import collections, json, os, resource, sys, tempfile, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.management import call_command
# A database loaded by an earlier commit takes this one's migrations (untimed).
call_command("migrate", interactive=False, verbosity=0)
from django.conf import settings
from django.db import connection
from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.dna.models import ProfileKind
from imena.exhumations.models import Body, Sample
from imena.exhumations.services import pm_section_save
from imena.identification.engine import SiteCache
from imena.identification.models import PendingUpdate
from imena.identification.scenario import DEMO_PARAMETERS
from imena.identification.services import (
    Register, candidates_compute, dna_profiles_upload, identification_refresh,
    identification_update, screening_run_national)
from imena.identification.shards import Shard
from imena.missing.models import ReferenceSample
from imena.missing.services import missing_person_create

# The screening tables go to a temporary folder (not the data folder).
settings.SCREENING_TABLES_DIR = tempfile.mkdtemp(prefix="imena-tables-")
out = {"vendor": connection.vendor}
org = Organisation.objects.get(code="demo")

def rss():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

def timed(name, fn):
    t, c = time.perf_counter(), time.process_time()
    res = fn()
    end = time.perf_counter()
    out[name] = {"seconds": round(end - t, 2),
                 "cpu_seconds": round(time.process_time() - c, 2), "peak_rss_mb": rss(),
                 "load_average": round(os.getloadavg()[0], 1),
                 # (the monotonic clock is the machine's: shards' steps compare)
                 "start": t, "end": end}
    print(f"[{me}] {name}", json.dumps(out[name]), file=sys.stderr, flush=True)
    return res

def others_done():
    # ``--updates-sites N``: the changes of the other sites are taken as done
    # (the workers keep N sites; the register is the whole one).
    if len(kept) < len(all_sites):
        PendingUpdate.objects.filter(done__isnull=True).exclude(
            site_id__in=[s.pk for s in kept]).update(done=django.utils.timezone.now())

def _sql_timed(name, fn):
    # Each statement's seconds, summed per statement text (the step's own
    # queries: the engine's work is not in them).
    spent = collections.defaultdict(lambda: [0.0, 0])
    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = spent[sql]
            entry[0] += time.perf_counter() - t
            entry[1] += 1
    def run():
        with connection.execute_wrapper(wrapper):
            return fn()
    def timed_run():
        try:
            return run()
        finally:
            rows = sorted(spent.items(), key=lambda kv: -kv[1][0])
            with open(f"/tmp/sql_{name}.txt", "w") as fh:
                total = sum(v[0] for v in spent.values())
                print(f"{total:.3f} s in {sum(v[1] for v in spent.values())} "
                      "statements", file=fh)
                for sql, (sec, n) in rows:
                    print(f"{sec:8.3f} s {n:6d}x  {sql[:2000]}", file=fh)
    return timed_run

def update(name):
    sync()
    if me == 0:
        others_done()
    sync()
    pending = PendingUpdate.objects.filter(
        done__isnull=True, site__in=sites).count()
    def run():
        return identification_update(actor=None, organisation=org, caches=caches,
                                     register=register, shard=shard)
    if name in os.environ.get("IMENA_BENCH_SQL", "").split(","):
        run = _sql_timed(name, run)
    if name in os.environ.get("IMENA_BENCH_PROFILE", "").split(","):
        import cProfile, pstats
        prof = cProfile.Profile()
        res = timed(name, lambda: prof.runcall(run))
        with open(f"/tmp/prof_{name}.txt", "w") as fh:
            pstats.Stats(prof, stream=fh).sort_stats("cumulative").print_stats(60)
            pstats.Stats(prof, stream=fh).sort_stats("tottime").print_stats(40)
        prof.dump_stats(f"/tmp/prof_{name}.pstats")  # (callers: ``pstats``)
    else:
        res = timed(name, run)
    # As the worker does after each update (untimed): its caches frozen.
    gc.collect()
    gc.freeze()
    out[name].update(pending=pending, sites=len(res.runs),
                     incremental=all(r.params["incremental"] for r in res.runs),
                     untouched=len(res.untouched),
                     deferred_sites=len(res.deferred),
                     # (the worker's caches: a shard with nothing pending
                     # returns before counting them)
                     deferred_bodies=sum(len(c.deferred) for c in caches.values()),
                     # why the sites computed could not hold the changes
                     # (``SiteCache.hold_reason``)
                     hold_reasons=dict(collections.Counter(
                         caches[r.site_id].hold_reason for r in res.runs)),
                     # why a site's run computed it in full rather than extend
                     # its last run ("": extended; ``SiteCache.full_reason``)
                     full_reasons=dict(collections.Counter(
                         caches[r.site_id].full_reason for r in res.runs)),
                     # bodies screened through the national screening's
                     # tables, families named, bodies against every family
                     dna_sieved=[sum(r.params.get("dna_sieved", [0, 0, 0])[i]
                                     for r in res.runs) for i in range(3)])
    sync()  # (no change stored while a shard still updates)

def merge_shards(outs):
    # One figure per step over the shards: the wall time from the first
    # shard's start to the last one's end (what a user waits for), the CPU
    # seconds summed and their largest, counts summed; each shard's own
    # figures under "by_shard" ("shards": their number).
    merged = {"vendor": outs[0]["vendor"], "shards": len(outs)}
    for name in outs[0]:
        if name == "vendor":
            continue
        parts = [o[name] for o in outs if name in o]
        if len(parts) == 1:
            merged[name] = parts[0]
            continue
        m = {"seconds": round(max(p["end"] for p in parts)
                              - min(p["start"] for p in parts), 2),
             "cpu_seconds": round(sum(p["cpu_seconds"] for p in parts), 2),
             "cpu_seconds_largest_shard": max(p["cpu_seconds"] for p in parts),
             "peak_rss_mb": sum(p["peak_rss_mb"] for p in parts),
             "load_average": max(p["load_average"] for p in parts)}
        for key, v in parts[0].items():
            if key in m or key in ("start", "end"):
                continue
            if key == "sites_in_register":
                m[key] = v
                continue
            if isinstance(v, bool):
                m[key] = all(p[key] for p in parts)
            elif isinstance(v, (int, float)):
                m[key] = sum(p[key] for p in parts)
            elif isinstance(v, dict):
                c = collections.Counter()
                for p in parts:
                    c.update(p[key])
                m[key] = dict(c)
            elif isinstance(v, list):
                m[key] = [sum(x) for x in zip(*(p[key] for p in parts))]
        m["by_shard"] = [{k: p[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb")}
                         | ({"sites": p["sites"]} if "sites" in p else {})
                         for p in parts]
        merged[name] = m
    return merged

all_sites = [s for s in Site.objects.filter(organisation=org).order_by("pk")
             if Body.objects.filter(grave__site=s).exists()]
limit = int(sys.argv[1]) if len(sys.argv) > 1 and int(sys.argv[1]) > 0 else len(all_sites)
kept = all_sites[:limit]
# ``--updates-shards N``: N workers side by side (``update --loop --shard K/N``),
# this process (shard 0, which also stores the changes) and N-1 forked ones.
n_shards = int(sys.argv[2]) if len(sys.argv) > 2 else 1
me = 0
if n_shards > 1:
    import multiprocessing
    from django.db import connections
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(n_shards), ctx.Queue()
    kids = []
    for k in range(1, n_shards):
        pid = os.fork()
        if pid == 0:
            me = k
            kids = []
            break
        kids.append(pid)
    def sync():
        barrier.wait()
else:
    def sync():
        pass
shard = Shard(me, n_shards) if n_shards > 1 else None
sites = [s for s in kept if shard is None or shard.has(s.pk)]
caches = {s.pk: SiteCache() for s in sites}
register = Register()
def first():
    shared = register.refresh(org)
    for s in sites:
        candidates_compute(actor=None, site=s, shared=shared, cache=caches[s.pk])
sync()
timed("first_computation", first)
import gc
gc.collect()
gc.freeze()
out["first_computation"]["sites"] = len(sites)
out["first_computation"]["sites_in_register"] = len(all_sites)
sync()
if me == 0:
    timed("new_report_stored", lambda: missing_person_create(
        actor=None, organisation=org, family_name="Бенчмарк", given_names="Петро",
        patronymic="Іванович", sex="male", birth_year=1980, stature_cm=178,
        reporter_name="Бенчмарк Марія", reporter_relationship="wife"))
update("new_report_update")
if me == 0:
    body = Body.objects.filter(grave__site=kept[0]).order_by("pk")[3]
    timed("pm_record_corrected", lambda: pm_section_save(
        actor=None, body=body, section="biological",
        data={"stature_min": 150, "stature_max": 156}, reason="bench"))
update("pm_record_update")
# The bodies those updates deferred (IMENA_UPDATE_DEFER_BELOW), computed
# exactly again as the idle worker does (every site at once here).
sync()
res = timed("deferred_refresh", lambda: identification_refresh(
    actor=None, organisation=org, caches=caches, register=register, sites=len(sites),
    shard=shard))
out["deferred_refresh"].update(sites=len(res.runs))
sync()
if me == 0:
    timed("screening_full", lambda: screening_run_national(
        actor=None, organisation=org, **DEMO_PARAMETERS))
    PendingUpdate.objects.filter(done__isnull=True).update(done=django.utils.timezone.now())
    # (A body of the sites the workers keep.)
    pm = list(Sample.objects.filter(organisation=org, profile__isnull=False,
                                    body__grave__site__in=kept)
              .select_related("profile").order_by("sample_id")[:2])
    timed("pm_profile_stored_and_screened", lambda: dna_profiles_upload(
        actor=None, organisation=org, kind=ProfileKind.POST_MORTEM,
        profiles={pm[0].sample_id: {"sex": 0, "genotypes": pm[1].profile.genotypes}},
        source_format="bench", source_sha256="0" * 64))
update("pm_profile_update")
if me == 0:
    refs = [s for s in ReferenceSample.objects.filter(organisation=org,
            profile__isnull=False, reference_kind="kinship").select_related(
            "profile").order_by("sample_id")[:50] if s.consent_active]
    timed("reference_profile_stored_and_screened", lambda: dna_profiles_upload(
        actor=None, organisation=org, kind=ProfileKind.REFERENCE,
        profiles={refs[2].sample_id: {"sex": 0, "genotypes": pm[0].profile.genotypes}},
        source_format="bench", source_sha256="0" * 64))
update("reference_profile_update")
if me != 0:
    results.put((me, out))
    results.close()
    results.join_thread()
    os._exit(0)
if n_shards > 1:
    shards_out = [out] + [None] * (n_shards - 1)
    for _ in kids:
        k, o = results.get()
        shards_out[k] = o
    for pid in kids:
        os.waitpid(pid, 0)
    out = merge_shards(shards_out)
from imena.audit.models import AuditEntry
out["screening_updates"] = [e.after_data for e in
    AuditEntry.objects.filter(action="dna.screening.update").order_by("seq")]
print(json.dumps(out))
"""


def _pg_copy(url: str) -> tuple[str, Callable[[], None]]:
    """A copy of the PostgreSQL database of ``url`` on the same server
    (``CREATE DATABASE ... TEMPLATE``: a file copy by the server, about a
    minute for the 2 GB of the national preset, and as much disk; nobody may
    be connected to it meanwhile), and how to drop it."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    source = parts.path.lstrip("/")
    copy = f"{source}_updates_{os.getpid()}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        version = conn.info.server_version
        strategy = sql.SQL(" STRATEGY FILE_COPY") if version >= 150000 else sql.SQL("")
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(
                    sql.Identifier(copy), sql.Identifier(source), strategy
                )
            )
        except psycopg.errors.ObjectInUse:
            raise SystemExit(
                f"updates: cannot copy {source!r}: other sessions are connected "
                "to it (stop them, or pass --updates-in-place with a throwaway "
                "database)"
            ) from None

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy))
            )

    return urlunsplit(parts._replace(path=f"/{copy}")), drop


def _updates_child(ctx: Context, url: str) -> dict[str, Any]:
    """The ``UPDATES`` child on the database of ``url``."""
    return _child(
        UPDATES,
        str(ctx.updates_sites),
        str(ctx.updates_shards),
        env={"DATABASE_URL": url},
    )


def phase_updates(ctx: Context) -> dict[str, Any]:
    """Incremental updates in the application, on a copy of the database a load
    phase kept (or ``--database``; SQLite: a file copy; PostgreSQL: ``CREATE
    DATABASE ... TEMPLATE`` on the same server, dropped afterwards; with
    ``--updates-in-place`` on that database itself, which the phase changes:
    for a throwaway one): every site computed once with one ``SiteCache``
    each (what the worker ``imena identification update --loop`` keeps),
    then a new report and a corrected PM record, each stored through its
    service and taken into account by ``identification_update``; then a
    national screening, a new PM profile and a new reference profile
    (``dna_profiles_upload``: the screening update, with the families'
    tables of ``screening_tables``) and the identification update each one
    leaves pending."""
    url = ctx.databases.get("sqlite") or ctx.databases.get("postgresql")
    if url is None:
        return {
            "skipped": "needs a database (a load phase with --keep-db, or --database)"
        }
    if ctx.updates_in_place:
        return _updates_child(ctx, url)
    if url.startswith("sqlite:///"):
        source = Path(url.removeprefix("sqlite:///"))
        copy = ctx.work / "updates.sqlite3"
        # With the write-ahead log of an earlier copy left next to it, the
        # new copy reads as malformed.
        files = [copy, *(copy.with_name(copy.name + s) for s in ("-wal", "-shm"))]
        for f in files:
            f.unlink(missing_ok=True)
        shutil.copyfile(source, copy)
        try:
            return _updates_child(ctx, f"sqlite:///{copy}")
        finally:
            for f in files:
                f.unlink(missing_ok=True)
    started = time.perf_counter()
    copy_url, drop = _pg_copy(url)
    copied = round(time.perf_counter() - started, 1)
    try:
        out = _updates_child(ctx, copy_url)
    finally:
        drop()
    out["database_copy_seconds"] = copied
    return out


PHASES: dict[str, Callable[[Context], dict[str, Any]]] = {
    "simulate": phase_simulate,
    "load_sqlite": phase_load_sqlite,
    "load_postgresql": phase_load_postgresql,
    "identification": phase_identification,
    "screening": phase_screening,
    "import_sqlite": phase_import_sqlite,
    "updates": phase_updates,
    "compute": phase_compute,
}
DEFAULT_PHASES = ("simulate", "load_sqlite", "load_postgresql", "identification")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--sites", type=int, default=None, help="default: preset")
    parser.add_argument("--missing", type=int, default=None, help="default: preset")
    parser.add_argument("--scenario", type=Path, help="an existing scenario folder")
    parser.add_argument("--work", type=Path, help="folder for databases (kept)")
    parser.add_argument("--phases", default=",".join(DEFAULT_PHASES))
    parser.add_argument("--id-persons", type=int, default=0)
    parser.add_argument("--id-sites", type=int, default=0)
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="identification: keep a SiteCache per site, then time a new report "
        "(every site) and a corrected PM record (one site)",
    )
    parser.add_argument(
        "--database", help="identification: an already loaded database URL"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="compute: worker processes"
    )
    parser.add_argument(
        "--no-screening",
        action="store_true",
        help="compute: skip the national DNA screening",
    )
    parser.add_argument(
        "--updates-in-place",
        action="store_true",
        help="updates: run on --database itself, not on a copy (it is changed: "
        "name a throwaway database)",
    )
    parser.add_argument(
        "--updates-sites",
        type=int,
        default=0,
        help="updates: the worker keeps the first N sites only (the other sites' "
        "changes are taken as done): per-site figures with the whole register "
        "when all sites' caches do not fit in memory",
    )
    parser.add_argument(
        "--updates-shards",
        type=int,
        default=1,
        help="updates: N workers side by side, each keeping the sites of its "
        "shard (`imena identification update --loop --shard K/N`); a step's "
        "seconds run from the first worker's start to the last one's end",
    )
    parser.add_argument("--pg-port", type=int, default=5581)
    parser.add_argument(
        "--pg-durable",
        action="store_true",
        help="load_postgresql: keep fsync, full-page writes and synchronous "
        "commit on (PostgreSQL's defaults, as in production)",
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--import-limit",
        type=int,
        default=10**9,
        help="import_sqlite: the first N reports only",
    )
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()
    names = [n for n in args.phases.split(",") if n]
    unknown = [n for n in names if n not in PHASES]
    if unknown:
        parser.error(f"unknown phase(s) {unknown}; known: {list(PHASES)}")
    if args.updates_shards < 1:
        parser.error(f"--updates-shards {args.updates_shards}: at least 1")
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
        pg_durable=args.pg_durable,
        # The identification phase computes on the database a load phase kept.
        keep_db=args.keep_db
        or "identification" in names
        or "screening" in names
        or "updates" in names
        or "compute" in names,
        id_persons=args.id_persons,
        id_sites=args.id_sites,
        incremental=args.incremental,
        workers=args.workers,
        screening=not args.no_screening,
        updates_in_place=args.updates_in_place,
        updates_sites=args.updates_sites,
        updates_shards=args.updates_shards,
    )
    if args.database:
        ctx.databases["sqlite"] = args.database
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

"""Benchmark: the demo scenario's DNA screening and the mass grave's joint result.

    .venv/bin/python benchmarks/bench_dna.py              # seed 4242 (the demo)
    .venv/bin/python benchmarks/bench_dna.py --seed 7 --graves 1000

Runs in a throwaway SQLite database: simulates the scenario, loads the sites,
exhumations and missing persons (not the other apps), then times
``screening_run`` with the demo parameters (what ``imena demo`` runs) and the
joint identification of every grave with several screened bodies.  Prints the
counts, seconds, and how many bodies with a reference family have their true
family first.  Not a test: the target (< 20 s for the demo) is read off.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--graves", type=int, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-dna-"))
    os.environ["SQLITE_PATH"] = str(tmp / "db.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from imena.accounts.models import Organisation, Role, User
    from imena.burials import scenario as burials_scenario
    from imena.exhumations import scenario as exhumations_scenario
    from imena.identification.models import ScreeningCandidate
    from imena.identification.scenario import DEMO_PARAMETERS
    from imena.identification.screening import joint_for_grave
    from imena.identification.services import screening_run
    from imena.lib.scenario import ScenarioContext
    from imena.missing import scenario as missing_scenario
    from imena.simulation import simulate

    call_command("migrate", interactive=False, verbosity=0)
    kwargs = {"graves": args.graves} if args.graves else {}
    simulate(seed=args.seed, out=tmp / "sim", **kwargs)
    org = Organisation.objects.create(name="Bench", code="bench")
    dna = User.objects.create(username="dna", role=Role.DNA_ANALYST, organisation=org)
    context = ScenarioContext(directory=tmp / "sim", organisation=org, actor=dna)
    t0 = time.perf_counter()
    burials_scenario.load_scenario(context)
    exhumations_scenario.load_scenario(context)
    missing_scenario.load_scenario(context)
    print(
        f"scenario (sites, exhumations, missing) loaded in {time.perf_counter() - t0:.1f} s"
    )
    site = next(iter(context.sites.values()))
    t0 = time.perf_counter()
    run = screening_run(actor=dna, site=site, **DEMO_PARAMETERS)
    wall = time.perf_counter() - t0
    print(
        f"screening_run {DEMO_PARAMETERS}: {run.bodies} bodies x "
        f"{run.missing_persons} missing persons = {run.pairs} pairs; "
        f"{run.candidates} candidates kept ({run.above_threshold} >= threshold); "
        f"engine {run.seconds:.2f} s, service wall {wall:.2f} s"
    )
    truth = json.loads((tmp / "sim" / "truth.json").read_text("utf-8"))
    report_of = {
        v["person_id"]: k
        for k, v in truth["reports"].items()
        if not v.get("duplicate_of")
    }
    expected = {
        pm: report_of[b["person_id"]]
        for pm, b in truth["bodies"].items()
        if b.get("has_dna_family")
        and b["dna_profile"] != "none"
        and b["person_id"] in report_of
    }
    best = {
        c.pm_label: (c.person.case_no, c.lr)
        for c in ScreeningCandidate.objects.filter(run=run, rank=1).select_related(
            "person"
        )
    }
    first = sum(
        1 for pm, case_no in expected.items() if best.get(pm, ("",))[0] == case_no
    )
    strong = sum(
        1
        for pm, case_no in expected.items()
        if best.get(pm, ("", 0))[0] == case_no and best[pm][1] >= run.threshold
    )
    print(
        f"bodies with a reference family and a profile: {len(expected)}; true family "
        f"ranked first: {first}; and LR >= threshold: {strong}"
    )
    from imena.burials.models import Grave

    for grave in Grave.objects.filter(site=site, kind="mass"):
        t0 = time.perf_counter()
        result = joint_for_grave(run, grave)
        if result is None:
            continue
        print(
            f"joint, grave {grave}: {len(result.bodies)} bodies x "
            f"{len(result.persons)} candidate missing persons, exact={result.result['exact']}, "
            f"{result.result['n_assignments']} assignments, {time.perf_counter() - t0:.2f} s"
        )


if __name__ == "__main__":
    main()

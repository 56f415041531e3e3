"""Run every benchmark in turn and print its figures.

    .venv/bin/python benchmarks/run_all.py            # all, full size (tens of minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a few minutes

Each benchmark is a script of its own in this folder; its docstring says what it
measures and which target it checks. Nothing here is a test: read the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = [
    ["bench_simulate.py"],
    ["bench_linkage.py", "--scale", "117", "--evaluate"],
    ["bench_one_name.py"],
    ["bench_one_name.py", "--name", "Невідомий"],
    ["bench_journals.py", "--scale", "117"],
    ["bench_kinship.py"],
    ["bench_kinship.py", "--joint"],
    ["bench_reports.py"],
    ["bench_relationships.py", "--scale", "4", "--reps", "10", "--loci", "23,50"],
    ["bench_familias.py"],
    ["bench_familias.py", "--hostile", "30"],
]
QUICK = [
    ["bench_simulate.py", "--scale", "2"],
    ["bench_linkage.py", "--scale", "5", "--evaluate"],
    ["bench_one_name.py", "--rows", "3000"],
    ["bench_journals.py", "--scale", "5"],
    ["bench_kinship.py", "--victims", "1000", "--families", "1000"],
    ["bench_kinship.py", "--joint"],
    ["bench_reports.py", "--quick"],
    ["bench_relationships.py", "--scale", "1", "--reps", "1", "--loci", "23"],
    ["bench_familias.py", "--victims", "1000", "--families", "1000"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    args = parser.parse_args()
    failed = 0
    for command in QUICK if args.quick else FULL:
        script = HERE / command[0]
        if not script.exists():
            print(f"== {command[0]}: not present, skipped")
            continue
        print(f"== {' '.join(command)}", flush=True)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(script), *command[1:]], check=False
        )
        print(
            f"   ({time.perf_counter() - started:.1f} s wall, exit {result.returncode})"
        )
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU time and queries per request of the main pages, in one process (issue #13 item 5).

    .venv/bin/python -m imena shell -c "exec(open('benchmarks/web_pages_cpu.py').read())"

Run with the environment of a loaded data folder (``bench_web.bench_env``, with
``testserver`` added to ``ALLOWED_HOSTS``). Each page is requested once to warm up,
then ``REPS`` times (default 7) through Django's test client as the demo user of its
role. Prints the median and the largest CPU time of the process (on SQLite the
database's work is included, on PostgreSQL it is not), the median wall time (on
PostgreSQL: with the database's work), the most queries and the largest page. CPU time, unlike latency, hardly depends on what else the machine runs.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from imena.accounts.models import User
from imena.burials.models import Site
from imena.exhumations.models import Body
from imena.identification.models import ScreeningRun
from imena.missing.models import MissingPerson


def main() -> None:
    rng = random.Random(1)
    sites = list(Site.objects.values_list("pk", flat=True))
    bodies = list(Body.objects.values_list("pk", flat=True)[:5000])
    runs = list(ScreeningRun.objects.values_list("pk", flat=True)) or [0]
    names = list(MissingPerson.objects.values_list("family_name", flat=True)[:5000])
    pages: list[tuple[str, str, Callable[[], str]]] = [
        ("grave list", "examiner", lambda: f"/sites/{rng.choice(sites)}/"),
        ("body list", "examiner", lambda: "/exhumations/"),
        (
            "candidates of a body",
            "examiner",
            lambda: f"/identification/bodies/{rng.choice(bodies)}/",
        ),
        (
            "review queue",
            "examiner",
            lambda: f"/journals/sites/{rng.choice(sites)}/review/",
        ),
        (
            "statistics",
            "examiner",
            lambda: f"/reports/sites/{rng.choice(sites)}/statistics/",
        ),
        ("work list", "examiner", lambda: "/"),
        (
            "missing-person search",
            "liaison",
            lambda: f"/missing/?q={rng.choice(names)}",
        ),
        ("missing-person list", "liaison", lambda: "/missing/"),
        ("screening results", "dna", lambda: f"/dna/screenings/{rng.choice(runs)}/"),
        (
            "candidates of a site",
            "examiner",
            lambda: f"/identification/sites/{rng.choice(sites)}/",
        ),
        ("journals", "examiner", lambda: "/journals/"),
    ]
    clients: dict[str, Client] = {}
    reps = int(os.environ.get("REPS", "7"))
    for name, username, url in pages:
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        client.get(url())
        cpu, wall, queries, size = [], [], [], []
        for _ in range(reps):
            address = url()
            with CaptureQueriesContext(connection) as ctx:
                t0, w0 = time.process_time(), time.perf_counter()
                response = client.get(address)
                cpu.append(time.process_time() - t0)
                wall.append(time.perf_counter() - w0)
            if response.status_code != 200:
                raise SystemExit(f"{address}: HTTP {response.status_code}")
            queries.append(len(ctx.captured_queries))
            size.append(len(response.content))
        print(
            f"{name:24} cpu median {statistics.median(cpu) * 1000:5.0f} ms"
            f"  max {max(cpu) * 1000:5.0f} ms  wall median"
            f" {statistics.median(wall) * 1000:5.0f} ms  queries {max(queries):3}"
            f"  {max(size) // 1024} KB",
            flush=True,
        )


main()

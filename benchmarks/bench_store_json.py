# ruff: noqa: E402, SIM115
"""Benchmark: storing one site's candidates on PostgreSQL, UNNEST against VALUES (#13).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_store_json.py [SITE_INDEX]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_store_json.py SITE_INDEX --compression

``--compression``: the same store (``services._store``, the candidates by
``COPY``) with the evidence and exclusions compressed by pglz (PostgreSQL's
default) and by LZ4 (migration 0012), each twice, the columns' method set in
the rolled-back transaction.

On a loaded national database (``demo_load``): computes one site, then stores its
run four times in transactions rolled back: with Django 5.2's ``bulk_create``
through ``UNNEST`` (the JSON fields as plain ``JSONField``) and with ``VALUES``
(``BulkJSONField``'s placeholder), printing the rows, wall seconds, this
process's CPU and the database backend's CPU (read from /proc: run it on the
database's machine).
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django

django.setup()
from django.db import connection, transaction

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.exhumations.models import Body
from imena.identification import services
from imena.identification.engine import compute_site
from imena.identification.models import Candidate, CandidateRun

org = Organisation.objects.get(code="demo")
site = [
    s
    for s in Site.objects.filter(organisation=org).order_by("pk")
    if Body.objects.filter(grave__site=s).exists()
][int(sys.argv[1])]
shared = services.shared_inputs(org, [site])
data = services.site_inputs(site, shared)
params, basis = services.site_params(site, data["counts"], None)
res = compute_site(
    data["bodies"],
    data["person_inputs"],
    data["leads"],
    params,
    overrides=data["overrides"],
    n_graves=data["n_graves"],
    grave_numbers=data["grave_numbers"],
    table=shared.table,
    dna=shared.dna,
)


def backend_cpu():
    with connection.cursor() as c:
        c.execute("select pg_backend_pid()")
        pid = c.fetchone()[0]
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


class Rollback(Exception):
    pass


def trial(tag, before=()):
    try:
        with transaction.atomic():
            for sql in before:
                with connection.cursor() as cursor:
                    cursor.execute(sql)
            b0 = backend_cpu()
            t, c = time.perf_counter(), time.process_time()
            run = CandidateRun.objects.create(
                site=site, p_unlisted=params.p_unlisted, body_count=1, person_count=1
            )
            services._store(run, res, data)
            n = Candidate.objects.of_run(run).count()
            print(
                tag,
                "rows",
                n,
                "wall",
                round(time.perf_counter() - t, 2),
                "client cpu",
                round(time.process_time() - c, 2),
                "server cpu",
                round(backend_cpu() - b0, 2),
                flush=True,
            )
            raise Rollback
    except Rollback:
        pass


if "--compression" in sys.argv:
    from imena.identification.models import BodyAnalysis

    columns = [
        (Candidate._meta.db_table, "evidence"),
        (BodyAnalysis._meta.db_table, "exclusions"),
    ]
    for method in ("pglz", "lz4", "pglz", "lz4"):
        trial(
            method,
            [
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}'
                for table, column in columns
            ],
        )
    sys.exit(0)

from imena.core.fields import BulkJSONField

placeholder = BulkJSONField.get_placeholder
for tag in ("values", "unnest", "values", "unnest"):
    if tag == "unnest":  # a plain JSONField: no get_placeholder, so UNNEST
        del BulkJSONField.get_placeholder
    trial(tag)
    BulkJSONField.get_placeholder = placeholder

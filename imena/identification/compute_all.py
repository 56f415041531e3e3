"""The candidates of many sites at once, in worker processes (#13 item 3).

``sites_compute`` reads what every site shares once in this process
(``services.shared_inputs``: the open reports, their blocking table and the DNA
LRs of all the sites' bodies), then computes and stores each site with
``services.candidates_compute`` in ``workers`` processes forked from this one.
The workers inherit the shared inputs (copy-on-write: the DNA LRs are numpy
arrays, never copied) and each opens its own database connection. A site's run
does not depend on which process computes it (the engine keeps no state across
sites but the shared inputs), so the stored candidates equal those of the
sequential loop (``tests/test_compute_all.py``).

Sequential instead (one process) when ``workers`` is 1, when the platform
cannot fork, when a transaction is open (a forked worker, with its own
connection, would not see its uncommitted rows: ``imena demo --compute`` loads
and computes in one transaction) or on an in-memory SQLite database.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections

from imena.identification import services
from imena.identification.models import CandidateRun

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.burials.models import Site

#: What the forked workers inherit (set just before the fork).
_SHARED: services.SharedInputs | None = None
_ACTOR: int | None = None


def default_workers() -> int:
    """``IMENA_COMPUTE_WORKERS`` (setting or environment), else the CPUs up to 2."""
    value = getattr(settings, "IMENA_COMPUTE_WORKERS", None) or os.getenv(
        "IMENA_COMPUTE_WORKERS"
    )
    if value:
        return max(1, int(value))
    return max(1, min(2, os.cpu_count() or 1))


def can_fork() -> bool:
    """True if worker processes can compute sites next to this one."""
    if not hasattr(os, "fork"):
        return False
    for conn in connections.all():
        if conn.in_atomic_block:
            return False
        if conn.vendor == "sqlite" and conn.is_in_memory_db():  # type: ignore[attr-defined]
            return False
    return True


def sites_compute(
    *,
    actor: User | None,
    organisation: Organisation,
    sites: Sequence[Site],
    priors: Mapping[int, float | None] | None = None,
    shared: services.SharedInputs | None = None,
    workers: int | None = None,
) -> list[CandidateRun]:
    """Compute and store the candidates of ``sites`` (one run each, in order).

    ``priors``: the prior of "none of these" per site id, when set by a user
    (else estimated). ``shared``: from ``services.shared_inputs(organisation,
    sites)`` if the caller has it. ``workers``: processes (default
    ``default_workers()``).
    """
    global _SHARED, _ACTOR
    sites = list(sites)
    priors = priors or {}
    if shared is None:
        shared = services.shared_inputs(organisation, sites)
    n = min(workers or default_workers(), len(sites))
    if n <= 1 or not can_fork():
        return [
            services.candidates_compute(
                actor=actor, site=s, p_unlisted=priors.get(s.pk), shared=shared
            )[0]
            for s in sites
        ]
    # The largest sites first, each to the next free worker.
    sizes = _body_counts(sites)
    order = sorted(sites, key=lambda s: (-sizes.get(s.pk, 0), s.pk))
    tasks = [(s.pk, priors.get(s.pk)) for s in order]
    _SHARED, _ACTOR = shared, (actor.pk if actor is not None else None)
    # Each worker opens its own connection: none is inherited open.
    connections.close_all()
    gc.collect()
    gc.freeze()  # the shared inputs stay shared: the collector does not touch them
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            run_ids = dict(pool.imap_unordered(_compute_one, tasks, chunksize=1))
    finally:
        gc.unfreeze()
        _SHARED = _ACTOR = None
    runs = CandidateRun.objects.in_bulk(list(run_ids.values()))
    return [runs[run_ids[s.pk]] for s in sites]


def _body_counts(sites: Sequence[Site]) -> dict[int, int]:
    from django.db.models import Count

    from imena.exhumations.models import Body

    return dict(
        Body.objects.filter(grave__site__in=sites)
        .values_list("grave__site_id")
        .annotate(n=Count("pk"))
        .values_list("grave__site_id", "n")
    )


def _compute_one(task: tuple[int, float | None]) -> tuple[int, int]:
    """In a worker: compute and store one site; (site id, run id)."""
    from imena.accounts.models import User
    from imena.burials.models import Site

    site_id, prior = task
    site = Site.objects.get(pk=site_id)
    actor = User.objects.get(pk=_ACTOR) if _ACTOR is not None else None
    run, _result = services.candidates_compute(
        actor=actor, site=site, p_unlisted=prior, shared=_SHARED
    )
    return site_id, run.pk

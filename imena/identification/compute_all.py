"""The candidates of many sites at once, in several processes (#13 item 3).

``sites_compute`` reads what every site shares once in this process
(``compact_inputs``: the open reports, their blocking table and the DNA LRs of
all the sites' bodies), forks ``workers - 1`` processes and computes and
stores the sites with ``services.candidates_compute`` in all of them, each
process taking the next site (largest first) when it is free and using its own
database connection. A site's run does not depend on which process computes
it (the engine keeps no state across sites but the shared inputs), so the
stored candidates equal those of the sequential loop
(``tests/test_compute_all.py``).

Memory (the national preset: 55,000 reports, 79.8 M DNA pairs kept): the forked
processes inherit the shared inputs copy-on-write. The DNA LRs are numpy
arrays that nobody writes: one copy for all. The reports are Python objects,
and using an object writes its reference count, so every process that uses
them ends up with its own copy of nearly every page holding them: with an
idle parent and two workers they were held three times (7.63 GB summed);
with this process computing too, at most twice. Of each report's model
instance only its id and text are kept (``Report``), the allele strings of
the families are shared (``imena.missing.records``), and the pages the C
allocator freed while reading are returned before the fork
(``release_free_memory``).

Sequential instead (one process) when ``workers`` is 1, when the platform
cannot fork, when a transaction is open (a forked worker, with its own
connection, would not see its uncommitted rows: ``imena demo --compute`` loads
and computes in one transaction) or on an in-memory SQLite database.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections

from imena.identification import services
from imena.identification.models import CandidateRun

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.burials.models import Site

#: What the forked processes inherit (set just before the fork): the shared
#: inputs, the actor, the tasks and the index of the next one.
#: A ``PendingUpdate`` row as ``services.pending_rows`` reads it.
Pending = tuple[int, str, int | None]

_SHARED: services.SharedInputs | None = None
_ACTOR: int | None = None
_TASKS: list[tuple[int, float | None, list[Pending]]] | None = None
_NEXT: Any = None


def default_workers() -> int:
    """``IMENA_COMPUTE_WORKERS`` (setting or environment), else the CPUs up to 2."""
    value = getattr(settings, "IMENA_COMPUTE_WORKERS", None) or os.getenv(
        "IMENA_COMPUTE_WORKERS"
    )
    if value:
        return max(1, int(value))
    return max(1, min(2, os.cpu_count() or 1))


def release_free_memory() -> bool:
    """Give the pages the C allocator holds free back to the system (glibc's
    ``malloc_trim``); True if it could.

    Reading the shared inputs frees more than it keeps (the querysets, the
    bodies' records, the screening's blocks), and glibc keeps freed heap pages
    resident: forked workers would inherit them (counted once) and copy each
    page they allocate into. No-op on another C library.
    """
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (AttributeError, OSError, TypeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


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
    pending: Mapping[int, Sequence[Pending]] | None = None,
) -> list[CandidateRun]:
    """Compute and store the candidates of ``sites`` (one run each, in order).

    ``priors``: the prior of "none of these" per site id, when set by a user
    (else estimated). ``shared``: ``compact_inputs(organisation, sites)`` (or
    ``services.shared_inputs``) if the caller has it; read here otherwise.
    ``workers``: processes computing sites, this one included (default
    ``default_workers()``). ``pending``: the sites' open ``PendingUpdate``
    rows (``services.pending_rows``) as read before ``shared``; read here
    otherwise, before the shared inputs. Each run marks done only these rows:
    a change committed while the inputs are read or the sites computed is
    not in the inputs, and stays pending for the next update.
    """
    global _SHARED, _ACTOR, _TASKS, _NEXT
    sites = list(sites)
    priors = priors or {}
    if pending is None:
        pending = services.pending_rows(s.pk for s in sites)
    rows = {s.pk: list(pending.get(s.pk, [])) for s in sites}
    if shared is None:
        shared = compact_inputs(organisation, sites)
    n = min(workers or default_workers(), len(sites))
    if n <= 1 or not can_fork():
        return [
            services.candidates_compute(
                actor=actor,
                site=s,
                p_unlisted=priors.get(s.pk),
                shared=shared,
                pending=rows[s.pk],
            )[0]
            for s in sites
        ]
    # The largest sites first, each to the next free process.
    sizes = _body_counts(sites)
    order = sorted(sites, key=lambda s: (-sizes.get(s.pk, 0), s.pk))
    context = multiprocessing.get_context("fork")
    _SHARED, _ACTOR = shared, (actor.pk if actor is not None else None)
    _TASKS = [(s.pk, priors.get(s.pk), rows[s.pk]) for s in order]
    _NEXT = context.Value("i", 0)
    # Each process opens its own connection: none is inherited open.
    connections.close_all()
    gc.collect()
    release_free_memory()
    gc.freeze()  # the shared inputs stay shared: the collector does not touch them
    try:
        with context.Pool(n - 1) as pool:
            forked = [pool.apply_async(_take_tasks) for _ in range(n - 1)]
            run_ids = dict(_take_tasks())  # this process computes too
            for result in forked:
                run_ids.update(result.get())
    finally:
        gc.unfreeze()
        _SHARED = _ACTOR = _TASKS = _NEXT = None
    runs = CandidateRun.objects.in_bulk(list(run_ids.values()))
    return [runs[run_ids[s.pk]] for s in sites]


def compact_inputs(
    organisation: Organisation, sites: Sequence[Site]
) -> services.SharedInputs:
    """``services.shared_inputs(organisation, sites)`` as kept for computing
    the sites: of each report's model instance, once the inputs are built,
    only what a run reads (``Report``: a few KB less each)."""
    shared = services.shared_inputs(organisation, sites)
    shared.persons = [Report(p.pk, str(p)) for p in shared.persons]
    return shared


@dataclass(frozen=True, slots=True)
class Report:
    """A report as a site's run reads it once its inputs are built
    (``services._store``): its id, and ``str()`` as the model's."""

    pk: int
    text: str

    def __str__(self) -> str:
        return self.text


def _body_counts(sites: Sequence[Site]) -> dict[int, int]:
    from django.db.models import Count

    from imena.exhumations.models import Body

    return dict(
        Body.objects.filter(grave__site__in=sites)
        .values_list("grave__site_id")
        .annotate(n=Count("pk"))
        .values_list("grave__site_id", "n")
    )


def _take_tasks() -> list[tuple[int, int]]:
    """Compute the next site until none is left; (site id, run id) each."""
    assert _TASKS is not None and _NEXT is not None
    done: list[tuple[int, int]] = []
    while True:
        with _NEXT.get_lock():
            i = _NEXT.value
            _NEXT.value = i + 1
        if i >= len(_TASKS):
            return done
        done.append(_compute_one(_TASKS[i]))


def _compute_one(task: tuple[int, float | None, list[Pending]]) -> tuple[int, int]:
    """Compute and store one site (in any of the processes); (site id, run id)."""
    from imena.accounts.models import User
    from imena.burials.models import Site

    site_id, prior, pending = task
    site = Site.objects.get(pk=site_id)
    actor = User.objects.get(pk=_ACTOR) if _ACTOR is not None else None
    run, _result = services.candidates_compute(
        actor=actor, site=site, p_unlisted=prior, shared=_SHARED, pending=pending
    )
    return site_id, run.pk

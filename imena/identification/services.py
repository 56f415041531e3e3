"""Writes of the identification app. Each one is atomic and audited."""

from __future__ import annotations

import bisect
import hashlib
import math
import operator
import os
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imena.accounts.roles import can
from imena.audit.services import audit_record, snapshot
from imena.burials.models import GraveStatus, Site
from imena.burials.services import grave_set_status
from imena.core.fields import compact_json
from imena.dna.models import DNAProfile, ProfileKind
from imena.dna.selectors import lineage_tables
from imena.dna.services import dna_profile_create, merged_with
from imena.exhumations.models import Body, Sample, SampleStatus
from imena.identification import adapters, changes, safeguards
from imena.identification.engine import (
    DNA_DROPOUT,
    BodyIn,
    BodyResult,
    DnaLRs,
    Params,
    PersonIn,
    SiteCache,
    SiteResult,
    collector_paused,
    compute_site,
    dna_lrs,
    dna_threshold,
    hold_persons,
    person_table,
    person_table_reusing,
    reread_positions,
)
from imena.identification.models import (
    BodyAnalysis,
    Candidate,
    CandidateRun,
    Confirmation,
    ExclusionOverride,
    FamilyNotification,
    Identification,
    IdentificationStatus,
    PendingKind,
    PendingUpdate,
    ScreeningCandidate,
    ScreeningRun,
    ScreeningStatus,
    WorkerBeat,
    WorkerTask,
)
from imena.identification.screening import (
    MUTATION_CHOICES,
    Kept,
    build_case_for_site,
    lineage_only_bodies,
    run_screening,
    score_of,
)
from imena.identification.screening_national import (
    CHUNK,
    StoredRow,
    family_persons,
    screen_national,
    update_national,
)
from imena.identification.screening_sieve import EngineSieve
from imena.identification.screening_tables import TableWriter
from imena.identification.selectors import site_ids_with_bodies
from imena.identification.shards import Shard
from imena.lib.withdrawal import withdraw
from imena.missing.models import MissingPerson, ReferenceSample, Status
from imena.missing.services import missing_person_set_status
from kinship import KinshipError
from matching import physical
from matching.documentary import estimate_journal_reliability
from matching.records import AMRecord, PMRecord
from matching.vectorised import PersonTable

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User

# What a worker's look is about to compute, and how many pending changes it
# takes (``identification_update``'s ``busy``).
Busy = Callable[[WorkerTask, int], None]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _log10(x: float) -> float | None:
    return math.log10(x) if x > 0 and math.isfinite(x) else None


def _trait_json(r: physical.TraitResult) -> dict[str, Any]:
    return {
        "trait": r.trait,
        "outcome": r.outcome,
        "lr": _finite(r.lr),
        "log10_lr": _log10(r.lr),
        "exclusion": r.exclusion,
        "en": r.explanation_en,
        "uk": r.explanation_uk,
        "override_reason": r.override_reason,
        "items": [_trait_json(i) for i in r.items],
    }


def evidence_json(
    result: BodyResult,
    person_id: str,
    *,
    am: AMRecord,
    pm: PMRecord,
    overrides: dict[str, str],
    lead_names: list[str],
    relations: list[str],
    model: physical.PhysicalModel = physical.DEFAULT_MODEL,
    traits: dict[tuple[str, str], Any] | None = None,
    candidate: Any = None,
) -> dict[str, Any]:
    """Everything a reviewer sees about one candidate, as JSON.

    ``model``: the physical model of the computation (``SiteResult.
    physical_model``: the site's age distribution and within-mouth dependence).
    ``traits``: the physical traits' JSON of pairs already stored, by (body,
    person), read and extended here (it depends on the two records, the
    overrides and the model only). ``candidate``: the person's candidate in
    ``result`` when the caller has it.
    """
    cp = candidate or next(
        c for c in result.posterior.candidates if c.person_id == person_id
    )
    pair = result.pairs[person_id]
    key = (result.body_id, person_id)
    found = traits.get(key) if traits is not None else None
    if found is None or found[0] != overrides:
        comp = physical.compare(am, pm, overrides, model)
        found = (
            dict(overrides),
            [_trait_json(r) for r in comp.results if r.outcome != physical.NO_DATA],
            [r.trait for r in comp.results if r.outcome == physical.NO_DATA],
        )
        if traits is not None:
            traits[key] = found
    evidence = []
    for e in cp.evidence:
        item: dict[str, Any] = {
            "kind": e.kind,
            "lr": _finite(e.lr),
            "log10_lr": _log10(e.lr),
            "en": e.explanation_en,
            "uk": e.explanation_uk,
        }
        if e.kind == "physical":
            # Shared with the cache: stored as JSON, never changed.
            item["traits"] = found[1]
            item["no_data"] = found[2]
        if e.kind == "dna":
            item["relations"] = relations
        evidence.append(item)
    return {
        "body": result.body_id,
        "person": person_id,
        "prior": cp.prior,
        "lr": _finite(cp.lr),
        "log10_lr": _log10(cp.lr),
        "posterior": cp.posterior,
        "posterior_unlisted": result.posterior.posterior_unlisted,
        "prior_unlisted": result.posterior.prior_unlisted,
        "others_posterior": result.others_mass,
        "method": result.posterior.method,
        "evidence": evidence,
        "exclusions": pair.exclusions,
        "overrides": overrides,
        "suggestions": [
            {
                "action": s.action,
                "log10_lr": s.log10_lr,
                "posterior_if": s.posterior_if,
                "en": s.text_en,
                "uk": s.text_uk,
            }
            for s in cp.suggestions
        ],
        "journal_lead": {
            "names_here": lead_names,
            "named_here": pair.lr["journal"] > 1,
            "named_elsewhere": pair.lr["journal"] < 1,
        },
    }


@dataclass
class SharedInputs:
    """What every site of an organisation shares: its open missing persons.

    Built once by ``shared_inputs`` when several sites are computed in a row:
    the AM records, their keys for blocking and the name index are the slow
    part at national scale, and the DNA screening of all sites' bodies against
    every family runs once.
    """

    persons: list[Any]
    # (A tuple: every site's cache keeps this same object as its last reports,
    # ``SiteCache.sync``, so comparing it with the next read is done once for
    # all of them: ``engine.reread_positions``.)
    person_inputs: Sequence[PersonIn]
    table: PersonTable
    index: adapters.NameIndex
    dna: DnaLRs | None = None
    # Built when first asked, once for every site of an update (``_entries``).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.person_inputs = tuple(self.person_inputs)


def _entries(shared: SharedInputs, ids: Iterable[str]) -> list[adapters.NameEntry]:
    """The name index's entries of these reports."""
    by_id = shared.memo.get("entries")
    if by_id is None:
        by_id = shared.memo["entries"] = {e.person_id: e for e in shared.index.entries}
    return [by_id[pid] for pid in ids if pid in by_id]


def _journals_name(
    site: Site,
    cache: SiteCache,
    entries: Sequence[Any],
    run_pk: int | None | adapters.Latest = adapters.LATEST,
) -> bool:
    """Does a name on the site's journals match one of these reports
    (``adapters.lead_inputs``: ``NameIndex.match``)? Only the names sharing a
    surname or given-name key with one of them are matched (``match`` needs
    one or the other); the names and their keys are kept with the cache.
    ``run_pk``: the site's latest reconciliation run's id, when read."""
    names, by_key = _journal_names(site, cache, run_pk)
    near: set[int] = set()
    for e in entries:
        for k in e.family:
            near.update(by_key.get(("family", k), ()))
        for k in e.given:
            near.update(by_key.get(("given", k), ()))
    if not near:
        return False
    index = adapters.NameIndex(entries)
    return any(index.match(*names[i]) for i in sorted(near))


def _journal_names(
    site: Site,
    cache: SiteCache,
    run_pk: int | None | adapters.Latest = adapters.LATEST,
    fresh: bool = False,
) -> tuple[list[Any], dict[tuple[str, str], list[int]]]:
    """The names of the site's latest reconciliation (``adapters.lead_names``)
    and, per surname or given-name key, the names that have it; kept with the
    cache while that run is the latest (``run_pk``: its id, when known)."""
    if run_pk is adapters.LATEST:
        run_pk = adapters.latest_run_id(site)
    kept = cache.extra.get("lead_keys")
    if kept is None or kept[0] != run_pk or fresh:
        run_pk, names = adapters.lead_names(site)
        by_key: dict[tuple[str, str], list[int]] = {}
        for i, (family, given, _patronymic, _years) in enumerate(names):
            for k in adapters.part_keys(family, "family"):
                by_key.setdefault(("family", k), []).append(i)
            for k in adapters.part_keys(given, "given"):
                by_key.setdefault(("given", k), []).append(i)
        kept = cache.extra["lead_keys"] = (run_pk, names, by_key)
    return kept[1], kept[2]


def shared_inputs(
    organisation: Organisation, sites: Sequence[Site] = ()
) -> SharedInputs:
    """The organisation's open persons, and the DNA LRs of the bodies of ``sites``."""
    persons = adapters.open_persons(organisation)
    pins = adapters.person_inputs(persons)
    shared = SharedInputs(
        persons, pins, person_table(pins), adapters.name_index(persons)
    )
    if sites:
        bodies = [b for site in sites for b in adapters.body_inputs(site)[0]]
        shared.dna = dna_lrs(
            bodies,
            pins,
            DNA_DROPOUT,
            dna_threshold(),
            lineage_tables(organisation.pk),
        )
    return shared


def site_inputs(site: Site, shared: SharedInputs | None = None) -> dict[str, Any]:
    """Everything ``engine.compute_site`` needs, read from the models."""
    pins: Sequence[PersonIn]
    if shared is None:
        persons = adapters.open_persons(site.organisation)
        index = adapters.name_index(persons)
        pins = adapters.person_inputs(persons)
    else:
        persons, index, pins = shared.persons, shared.index, shared.person_inputs
    run_pk = adapters.latest_run_id(site)
    leads, counts = adapters.lead_inputs(site, index, run_pk)
    bodies, body_objs = adapters.body_inputs(site)
    return {
        "persons": persons,
        "person_inputs": pins,
        "leads": leads,
        "counts": counts,
        "bodies": bodies,
        "body_objs": body_objs,
        "overrides": _overrides(site),
        "grave_numbers": {b.grave_id: b.grave_number for b in bodies},
        "n_graves": site.graves.filter(withdrawn=False).count(),
        # The site's latest reconciliation run (its leads') and the
        # organisation's lineage tables, for ``site_params``.
        "reconcile_run": run_pk,
        "lineage": lineage_tables(site.organisation_id),
    }


def _overrides(
    site: Site, body_ids: Iterable[int] | None = None
) -> dict[tuple[str, str], dict[str, str]]:
    """The site's exclusion overrides in force (of these bodies only), by
    (body, person) and key."""
    overrides: dict[tuple[str, str], dict[str, str]] = {}
    found = ExclusionOverride.objects.filter(body__grave__site=site, withdrawn=False)
    if body_ids is not None:
        found = found.filter(body_id__in=list(body_ids))
    for o in found:
        overrides.setdefault((str(o.body_id), str(o.person_id)), {})[o.key] = o.reason
    return overrides


def _worker_inputs(
    site: Site,
    shared: SharedInputs,
    cache: SiteCache,
    pending: Sequence[tuple[int, str, int | None]],
) -> dict[str, Any]:
    """``site_inputs`` for a worker that keeps the site's inputs in its
    ``cache`` between updates: read again only what the pending changes of
    the site touch.

    The open reports come from ``shared`` (the worker's ``Register``). The
    journal leads are read again only when a changed report is one a lead
    names, or its name matches a name of the site's journals (else every
    lead names the same reports); the bodies, only those with a pending
    change (all of them when one is new, gone or renumbered). A change of a
    grave, of the journals or of the whole register reads everything, as
    does the first update. The exclusion overrides are read again when a
    body changed (an override's change is its body's ``PendingUpdate``
    row); the count of graves, the reconciliation run and the lineage tables
    are kept (a grave's or a reconciliation's change is the site's row, a
    lineage table's the organisation's: everything is read).
    """
    kept = cache.extra.get("inputs")
    kinds = {kind for _pk, kind, _object in pending}
    run_pk = adapters.latest_run_id(site)
    last_run = (
        CandidateRun.objects.filter(site=site)
        .order_by("-created", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if (
        kept is None
        or kinds - {PendingKind.PERSON, PendingKind.BODY}
        or any(o is None for _pk, _kind, o in pending)
        or kept["run"] != run_pk
        # Another process computed the site (and marked its changes done).
        or last_run is None
        or last_run != cache.extra.get("run")
    ):
        data = site_inputs(site, shared)
        cache.extra["inputs"] = {**data, "run": run_pk}
        # (Kept for the updates: which new reports the journals name.)
        _journal_names(site, cache, run_pk, fresh=True)
        return data
    data = dict(kept)
    data["persons"], data["person_inputs"] = shared.persons, shared.person_inputs
    # The reports changed, added or closed since the inputs were read: the
    # register keeps the same ``PersonIn`` of a report it did not read again.
    persons = _changed_persons(kept["person_inputs"], shared.person_inputs)
    if persons:
        named = {pid for lead in kept["leads"] for pid in lead.persons}
        if persons & named or _journals_name(
            site, cache, _entries(shared, sorted(persons)), run_pk
        ):
            data["leads"], data["counts"] = adapters.lead_inputs(
                site, shared.index, run_pk
            )
    bodies = {int(o) for _pk, kind, o in pending if kind == PendingKind.BODY if o}
    if bodies:
        fresh, objs = adapters.body_inputs(site, only=bodies)
        at = {b.body_id: i for i, b in enumerate(kept["bodies"])}
        numbers = {str(b.pk): b.pm_number for b in kept["body_objs"]}
        if len(fresh) != len(bodies) or any(
            b.body_id not in at or numbers[b.body_id] != o.pm_number
            for b, o in zip(fresh, objs, strict=True)
        ):
            data = site_inputs(site, shared)
            cache.extra["inputs"] = {**data, "run": run_pk}
            return data
        data["bodies"], data["body_objs"] = (
            list(kept["bodies"]),
            list(kept["body_objs"]),
        )
        for b, o in zip(fresh, objs, strict=True):
            data["bodies"][at[b.body_id]] = b
            data["body_objs"][at[b.body_id]] = o
        data["grave_numbers"] = {b.grave_id: b.grave_number for b in data["bodies"]}
        data["overrides"] = _overrides(site)
    cache.extra["inputs"] = {**data, "run": run_pk}
    return data


def _changed_persons(old: Sequence[PersonIn], new: Sequence[PersonIn]) -> set[str]:
    """The reports of ``new`` that are not (the same objects) in ``old``, and
    those of ``old`` no longer in ``new``."""
    if len(new) >= len(old) and all(map(operator.is_, new, old)):
        return {p.person_id for p in new[len(old) :]}
    # The same reports, a few read again (other objects).
    diff = reread_positions(old, new)
    if diff is not None:
        return {new[i].person_id for i in diff}
    was = {p.person_id: p for p in old}
    now = {p.person_id: p for p in new}
    out = {pid for pid, p in now.items() if was.get(pid) is not p}
    return out | (was.keys() - now.keys())


USER_PRIOR = "set by the user"


def site_params(
    site: Site,
    counts: dict[str, int],
    p_unlisted: float | None,
    *,
    data: Mapping[str, Any] | None = None,
    cache: SiteCache | None = None,
) -> tuple[Params, str]:
    """The model's parameters for a site's run. ``data``: the site's inputs
    (``site_inputs``: its reconciliation run and the lineage tables, else
    read here); with ``cache`` too, the run's ``reconciliation_counts`` are
    kept with it (they are fixed for a run)."""
    run: int | None | adapters.Latest = adapters.LATEST
    lineage = None
    if data is not None:
        run = data["reconcile_run"]
        lineage = data["lineage"]
    run_counts = None
    if cache is not None and run is not adapters.LATEST:
        kept = cache.extra.get("reconcile_counts")
        if kept is None or kept[0] != run:
            kept = cache.extra["reconcile_counts"] = (
                run,
                adapters.reconciliation_counts(run),
            )
        run_counts = kept[1]
    stats = adapters.reconciliation_stats(site, run, run_counts)
    reliability = estimate_journal_reliability(stats)
    if p_unlisted is None:
        p_u = adapters.estimate_p_unlisted(counts)
        basis = (
            f"{counts.get('named', 0) - counts.get('matched', 0)} of "
            f"{counts.get('named', 0)} named burials match no open report"
            if counts.get("named", 0) >= 10
            else "default (no journals)"
        )
    else:
        p_u, basis = p_unlisted, USER_PRIOR
    return Params(
        p_unlisted=p_u,
        reliability=reliability,
        dna_expected=adapters.DNA_EXPECTED_LOG10,
        lineage_tables=(
            lineage if lineage is not None else lineage_tables(site.organisation_id)
        ),
    ), basis


def candidates_compute(
    *,
    actor: User | None,
    site: Site,
    p_unlisted: float | None = None,
    shared: SharedInputs | None = None,
    cache: SiteCache | None = None,
    pending: Sequence[tuple[int, str, int | None]] | None = None,
    worker: bool = False,
) -> tuple[CandidateRun, SiteResult]:
    """Compute candidates and posteriors for every body of the site and store them.

    ``shared``: from ``shared_inputs``, when several sites are computed in a row.
    ``cache``: the site's ``engine.SiteCache`` from its previous run in this
    process: only new or changed reports and bodies are computed again (the
    result is the same).

    The inputs are read and the computation runs before the transaction; only
    storing the run is atomic. On SQLite a transaction holds the write lock of
    the whole database (``transaction_mode`` IMMEDIATE), so a computation of
    minutes inside it made every other writer wait or fail, another site's
    worker included (``compute_all``). A change committed meanwhile stays
    pending: only the ``PendingUpdate`` rows read before the inputs are marked
    done. ``pending``: the site's open rows (id, kind, object) as the caller
    read them before ``shared`` (``pending_rows``; else read here, before the
    site's inputs): a change committed after ``shared`` was read is not in it.
    ``worker`` (the worker, with ``cache``): when the run changed no body's
    result (the bodies that new reports reach all deferred: ``SiteCache.
    defer_below``), no run is stored (the audit log records the deferral)
    and the site's last run is returned; while bodies stay deferred
    (``SiteResult.deferred``), the pending rows are left open (the refresh,
    ``identification_refresh``, marks them done).
    """
    if p_unlisted is not None and not 0 <= p_unlisted < 1:
        raise ValidationError({"p_unlisted": _("The prior must be between 0 and 1.")})
    started = time.perf_counter()
    # The pending changes are read before the inputs: each one seen here is
    # in the inputs, so the run takes it into account (a change committed
    # later stays pending).
    if pending is None:
        pending = pending_rows([site.pk]).get(site.pk, [])
    pending = list(pending)
    seen = [pk for pk, _kind, _object in pending]
    incremental = cache is not None and bool(cache.rows)
    data = (
        _worker_inputs(site, shared, cache, pending)
        if cache is not None and shared is not None
        else site_inputs(site, shared)
    )
    params, basis = site_params(
        site, data["counts"], p_unlisted, data=data, cache=cache
    )
    result = compute_site(
        data["bodies"],
        data["person_inputs"],
        data["leads"],
        params,
        overrides=data["overrides"],
        n_graves=data["n_graves"],
        grave_numbers=data["grave_numbers"],
        table=shared.table if shared else None,
        dna=shared.dna if shared else None,
        cache=cache,
    )
    last_pk = cache.extra.get("run") if cache is not None and incremental else None
    if worker and last_pk is not None and not result.recomputed and not result.relisted:
        last = (
            CandidateRun.objects.filter(site=site).order_by("-created", "-pk").first()
        )
        # (Another process may have stored a run of the site since.)
        if last is not None and last.pk == last_pk:
            with transaction.atomic():
                _deferred_store(actor, site, last, result, seen)
            return last, result
    with transaction.atomic():
        run = _run_store(
            actor,
            site,
            params,
            basis,
            data,
            result,
            [] if worker and result.deferred else seen,
            incremental,
            started,
            cache,
        )
    return run, result


def _mark_done(seen: Sequence[int], when: Any) -> None:
    """Mark these ``PendingUpdate`` rows done (in chunks of 2,000 ids)."""
    for start in range(0, len(seen), 2000):
        PendingUpdate.objects.filter(pk__in=seen[start : start + 2000]).update(
            done=when
        )


def _deferred_store(
    actor: User | None,
    site: Site,
    last: CandidateRun,
    result: SiteResult,
    seen: list[int],
) -> None:
    """A run that changed no body's result (no run stored; ``last`` stays
    the site's): the deferral in the audit log, and the pending rows done
    when no body is deferred."""
    if result.deferred:
        seen = []
    _mark_done(seen, timezone.now())
    audit_record(
        actor=actor,
        action="identification.defer",
        obj=last,
        after={
            "pending_done": len(seen),
            "persons": len(result.person_ids),
            "deferred": len(result.deferred),
            "bound": max(result.deferred.values(), default=0.0),
        },
        organisation_id=site.organisation_id,
    )


def _run_store(
    actor: User | None,
    site: Site,
    params: Params,
    basis: str,
    data: dict[str, Any],
    result: SiteResult,
    seen: list[int],
    incremental: bool,
    started: float,
    cache: SiteCache | None = None,
) -> CandidateRun:
    """Store ``candidates_compute``'s run (inside its transaction)."""
    # The run that stored the cache's last result: the bodies whose results
    # this run kept are held from it, or copied (``_store``).
    last_run = cache.extra.get("run") if cache is not None and incremental else None
    # One run of a site is stored at a time (its analyses held by the next
    # run, ``BodyAnalysis.until``, follow the runs' order): the site's row
    # is locked until the transaction ends (SQLite: the write lock is the
    # database's already). The latest run is read after the lock, by a
    # statement of its own: one that waited for the lock reads with the
    # snapshot it started with (PostgreSQL, READ COMMITTED), without the run
    # the other transaction stored.
    list(Site.objects.select_for_update().filter(pk=site.pk).values_list("pk"))
    latest = list(
        CandidateRun.objects.filter(site=site)
        .order_by("-pk")
        .values_list("pk", flat=True)[:1]
    )
    if (
        last_run is not None
        and latest != [last_run]
        and not CandidateRun.objects.filter(pk=last_run, site=site).exists()
    ):
        last_run = None
    run = CandidateRun.objects.create(
        site=site,
        created_by=actor,
        p_unlisted=params.p_unlisted,
        p_unlisted_basis=basis[:300],
        reliability={
            "p_wrong_grave": params.reliability.p_wrong_grave,
            "p_wrong_name": params.reliability.p_wrong_name,
            "basis": dict(params.reliability.basis),
        },
        params={
            "dependence": params.dependence,
            "dna_dropout": params.dna_dropout,
            "keep_per_body": params.keep_per_body,
            "journal_counts": data["counts"],
            "blocked_pairs": sum(br.blocked for br in result.bodies.values()),
        },
        body_count=len(data["bodies"]),
        person_count=len(data["persons"]),
        notes=result.notes,
    )
    copied = _store(
        run,
        result,
        data,
        copy_from=last_run,
        cache=cache,
        hold=last_run is not None and latest == [last_run],
    )
    if cache is not None:
        cache.extra["run"] = run.pk
    run.seconds = time.perf_counter() - started
    run.params["pending_done"] = len(seen)
    run.params["incremental"] = incremental
    run.params["bodies_copied"] = copied
    if result.deferred:
        # Bodies whose result is an earlier run's, within this bound of the
        # exact one (``SiteCache.defer_below``).
        run.params["deferred"] = len(result.deferred)
        run.params["deferred_bound"] = max(result.deferred.values())
    if cache is not None and any(cache.dna_sieved):
        # Bodies screened through the national screening's tables, the
        # families they named, bodies screened against every family.
        run.params["dna_sieved"] = list(cache.dna_sieved)
    run.save(update_fields=["seconds", "params"])
    _mark_done(seen, run.created)
    audit_record(
        actor=actor,
        action="identification.compute",
        obj=run,
        after={
            "bodies": run.body_count,
            "persons": run.person_count,
            "p_unlisted": run.p_unlisted,
            "reliability": run.reliability,
            "pending_done": len(seen),
            "incremental": incremental,
        },
        organisation_id=site.organisation_id,
    )
    return run


def pending_rows(
    site_ids: Iterable[int],
) -> dict[int, list[tuple[int, str, int | None]]]:
    """The open ``PendingUpdate`` rows (id, kind, object) of these sites.

    Read them before the inputs of a computation: the run takes exactly
    these into account and marks only these done (a change committed while
    it runs stays pending).
    """
    changes.reading()
    out: dict[int, list[tuple[int, str, int | None]]] = {}
    for site_id, pk, kind, obj in (
        PendingUpdate.objects.filter(site_id__in=list(site_ids), done__isnull=True)
        .order_by("pk")
        .values_list("site_id", "pk", "kind", "object_id")
    ):
        out.setdefault(site_id, []).append((pk, kind, obj))
    return out


@dataclass
class Register:
    """The open reports as ``shared_inputs`` reads them, kept by the worker
    between updates and refreshed for the reports that changed only."""

    persons: dict[int, Any] = field(default_factory=dict)
    inputs: dict[int, PersonIn] = field(default_factory=dict)
    entries: dict[int, adapters.NameEntry] = field(default_factory=dict)
    shared: SharedInputs | None = None
    # The open reports' ids, ascending (those of ``shared``).
    ids: list[int] = field(default_factory=list)
    # ``changes.snapshot()`` taken before the last read.
    last: int = 0
    unseen: list[int] = field(default_factory=list)

    def refresh(self, organisation: Organisation) -> SharedInputs:
        """``shared_inputs(organisation)`` (without DNA), reading only the
        reports changed (``PendingUpdate`` rows, done or not) or added or
        closed since the last refresh."""
        changed = (
            changes.changed_persons(organisation.pk, self.last, self.unseen)
            if self.shared is not None
            else None
        )
        self.last, self.unseen = changes.snapshot()
        if changed is None or self.shared is None:
            shared = shared_inputs(organisation)
            self.persons = {p.pk: p for p in shared.persons}
            self.inputs = {int(p.person_id): p for p in shared.person_inputs}
            self.entries = {int(e.person_id): e for e in shared.index.entries}
            self.ids = [int(p.person_id) for p in shared.person_inputs]
            self.shared = shared
            return shared
        ids = list(
            MissingPerson.objects.filter(
                organisation=organisation,
                status=Status.OPEN,
                merged_into__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        old = self.shared
        old_ids = self.ids
        same = ids == old_ids
        # (The same reports: only those changed are read again.)
        read = (
            sorted(pk for pk in changed if pk in self.persons)
            if same
            else [pk for pk in ids if pk in changed or pk not in self.persons]
        )
        objs = list(MissingPerson.objects.filter(pk__in=read).order_by("pk"))
        for p, pin in zip(objs, adapters.person_inputs(objs), strict=True):
            self.persons[p.pk] = p
            self.inputs[p.pk] = pin
        for e in adapters.name_index(objs).entries:
            self.entries[int(e.person_id)] = e
        if same:
            # Their places in the lists (ids ascending).
            at = [bisect.bisect_left(ids, pk) for pk in read]
            persons, pins = list(old.persons), list(old.person_inputs)
            for j, pk in zip(at, read, strict=True):
                persons[j], pins[j] = self.persons[pk], self.inputs[pk]
            table = old.table.replaced(
                dict(zip(at, person_table([pins[j] for j in at]).records, strict=True))
            )
            shared = SharedInputs(
                persons, pins, table, adapters.NameIndex(self.entries[pk] for pk in ids)
            )
            _ids_replaced(old, shared, at)
            self.shared = shared
            return shared
        keep = set(ids)
        for gone in [pk for pk in self.persons if pk not in keep]:
            del self.persons[gone], self.inputs[gone], self.entries[gone]
        pins = [self.inputs[pk] for pk in ids]
        # Reports only added (ids ordered, so at the end): extend the table;
        # else the records of the reports not read again are kept.
        appended = ids[: len(old_ids)] == old_ids and not (changed & set(old_ids))
        table = (
            old.table.extended(person_table(pins[len(old_ids) :]).records)
            if appended
            else person_table_reusing(pins, old.table, (str(pk) for pk in read))
        )
        self.ids = ids
        self.shared = SharedInputs(
            [self.persons[pk] for pk in ids],
            pins,
            table,
            adapters.NameIndex(self.entries[pk] for pk in ids),
        )
        return self.shared


class _LazySieve:
    """``screening_sieve.EngineSieve`` of the organisation, opened when a
    body first needs it (most updates screen no body). ``read_at``: the
    ``changes.snapshot()`` taken before the reports were read."""

    def __init__(self, organisation_id: int, read_at: tuple[int, list[int]]) -> None:
        self.organisation_id = organisation_id
        self.read_at = read_at
        self.sieve: EngineSieve | None = None
        self.opened = False

    def candidates(
        self, body: BodyIn, persons: Sequence[PersonIn], log10_threshold: float
    ) -> list[PersonIn] | None:
        if not self.opened:
            self.opened = True
            self.sieve = EngineSieve.open(
                self.organisation_id, DNA_DROPOUT, read_at=self.read_at
            )
        if self.sieve is None:
            return None
        return self.sieve.candidates(body, persons, log10_threshold)


@dataclass
class UpdateOutcome:
    """What ``identification_update`` did: one new run per site it recomputed."""

    pending: int = 0
    runs: list[CandidateRun] = field(default_factory=list)
    seconds: float = 0.0
    # Sites whose pending rows were only new reports that change nothing
    # there (``_untouched``): rows marked done, no run.
    untouched: list[int] = field(default_factory=list)
    # Sites whose pending rows were new reports that move every body by less
    # than ``IMENA_UPDATE_DEFER_BELOW`` (``engine.hold_persons``), or
    # whose run changed no body's result: no run; the rows stay open until
    # the refresh (``identification_refresh``) stores the exact result. The
    # bodies deferred, over every site (after this update).
    deferred: list[int] = field(default_factory=list)
    deferred_bodies: int = 0


def _untouched(
    site: Site,
    cache: SiteCache,
    shared: SharedInputs,
    rows: Sequence[tuple[int, str, int | None]],
    defer: float = 0.0,
) -> str | None:
    """ "untouched" (and the site's pending rows marked done) when they are
    all new reports that would change no body's result: no LR above 0 at any
    body, no name on the site's journals, the register size on the same grid
    point and the same competition weights; "held" (the rows left open, the
    bodies deferred) when new or changed reports move no body by ``defer``
    or more (``engine.hold_persons``; a body's row whose body is unchanged,
    as the DNA screening writes when a family's candidates change, is no
    change). Decided with the worker's cache of the site, without a run; its
    last run stays the site's candidates (the same numbers a run would store,
    but for the count of persons considered; when held, within the bounds).
    None: the site needs a run. ``rows``: the site's pending rows, read
    before ``shared``."""
    last = cache.extra.get("run")
    kinds = (PendingKind.PERSON, PendingKind.BODY)
    if not rows or any(k not in kinds or o is None for _pk, k, o in rows):
        return None
    if last is None or not CandidateRun.objects.filter(pk=last, site=site).exists():
        return None
    body_ids = {int(o) for _pk, k, o in rows if k == PendingKind.BODY and o}
    if body_ids and not _bodies_unchanged(site, cache, body_ids):
        return None
    ids = {str(o) for _pk, k, o in rows if k == PendingKind.PERSON}
    pins = shared.person_inputs
    by_id = _ids_of(shared.persons, shared.person_inputs)[1]
    held = {p.person_id: p for p in cache.held}
    new_ids: set[str] = set()
    changed = []
    for pid in sorted(ids):
        p = by_id.get(pid)
        if p is None:
            return None  # closed or merged
        was = held.get(pid) or cache.changed_held.get(pid) or cache.persons.get(pid)
        if was is None:
            new_ids.add(pid)
        elif p is was or p == was:
            continue  # nothing the computation reads changed
        elif pid in held:
            return None  # a held new report changed: computed
        else:
            changed.append(p)
    # New reports come last (ids ascending).
    tail = pins[len(pins) - len(new_ids) :] if new_ids else []
    if {p.person_id for p in tail} != new_ids:
        return None
    new = list(tail)
    # A name on the site's journals is a lead (and moves the prior of "none
    # of these"): the site is computed.
    named = [p.person_id for p in (*new, *changed)]
    if named and _journals_name(site, cache, _entries(shared, named)):
        return None
    found = hold_persons(cache, pins, new, defer, changed=changed)
    if found is None:
        return None
    if found:
        return "held"
    if changed:
        # Held with no reach here: the rows stay open until the site's next
        # run takes the changed reports.
        return "held"
    PendingUpdate.objects.filter(pk__in=[pk for pk, _k, _o in rows]).update(
        done=timezone.now()
    )
    return "untouched"


def _bodies_unchanged(site: Site, cache: SiteCache, body_ids: set[int]) -> bool:
    """These bodies' inputs and exclusion overrides (an override's change is
    its body's row) are those of the cache's last run."""
    fresh, _objs = adapters.body_inputs(site, only=body_ids)
    if len(fresh) != len(body_ids) or not all(
        (was := cache.bodies.get(b.body_id)) is not None and was == b for b in fresh
    ):
        return False
    kept = cache.extra.get("inputs")
    if kept is None:
        return False
    ids = {str(pk) for pk in body_ids}
    now = _overrides(site, body_ids)
    return now == {k: v for k, v in kept["overrides"].items() if k[0] in ids}


def identification_update(
    *,
    actor: User | None,
    organisation: Organisation,
    caches: dict[int, SiteCache] | None = None,
    register: Register | None = None,
    workers: int | None = None,
    shard: Shard | None = None,
    busy: Busy | None = None,
) -> UpdateOutcome:
    """Recompute the sites with pending changes, each in its own transaction.

    A site is recomputed in full from the database (the result equals any other
    full computation); with ``caches`` (one ``engine.SiteCache`` per site,
    kept by a long-running worker: ``imena identification update --loop``)
    only the new or changed reports and bodies are compared again; with
    ``register`` (the worker's too) only the reports that changed are read
    again. A site whose bodies are all gone has its rows marked done without
    a run. Without ``caches`` the sites are computed in ``workers`` processes
    (``compute_all.sites_compute``; default ``compute_all.default_workers()``).
    ``shard``: only the sites of this shard (``Shard``: one of several
    workers side by side, each keeping the caches of its own sites).
    With ``caches`` the cyclic garbage collector waits until the update is
    done (``engine.collector_paused``: its passes over the objects made
    since the worker's caches were frozen cost more than the update's
    garbage; the worker collects after each update). ``busy``: called once
    with ``"update"`` and the number of pending changes before anything is
    computed (not when nothing is pending; the worker's ``WorkerBeat``).
    """
    if caches is None:
        return _update(actor, organisation, caches, register, workers, shard, busy)
    with collector_paused():
        return _update(actor, organisation, caches, register, workers, shard, busy)


def _update(
    actor: User | None,
    organisation: Organisation,
    caches: dict[int, SiteCache] | None,
    register: Register | None,
    workers: int | None,
    shard: Shard | None,
    busy: Busy | None,
) -> UpdateOutcome:
    """``identification_update``."""
    started = time.perf_counter()
    outcome = UpdateOutcome()
    site_ids = {
        pk
        for pk in PendingUpdate.objects.filter(
            organisation=organisation, done__isnull=True
        )
        .values_list("site_id", flat=True)
        .distinct()
        if shard is None or shard.has(pk)
    }
    if not site_ids:
        return outcome
    # The pending rows are read before the inputs (the register, and in
    # ``sites_compute`` the shared inputs): a change committed later is not
    # in the inputs and stays pending. Rows the worker's cache holds already
    # (``_worker_run``: deferred, left open until the refresh) are not new.
    pending = pending_rows(site_ids)
    for pk in list(pending):
        held = caches[pk].extra.get("absorbed") if caches and pk in caches else None
        rows = [r for r in pending[pk] if r[0] not in held] if held else pending[pk]
        if rows:
            pending[pk] = rows
        else:
            del pending[pk]
    outcome.pending = sum(len(rows) for rows in pending.values())
    if not outcome.pending:
        return outcome
    if busy is not None:
        busy(WorkerTask.UPDATE, outcome.pending)
    sites = list(Site.objects.filter(pk__in=list(pending)).order_by("pk"))
    with_bodies = set(
        Body.objects.current()
        .filter(grave__site__in=sites)
        .values_list("grave__site_id", flat=True)
        .distinct()
    )
    empty = [s.pk for s in sites if s.pk not in with_bodies]
    PendingUpdate.objects.filter(site_id__in=empty, done__isnull=True).update(
        done=timezone.now()
    )
    sites = [s for s in sites if s.pk in with_bodies]
    if not sites:
        outcome.seconds = time.perf_counter() - started
        return outcome
    # With caches the open reports are read once for every site here; without
    # them ``compute_all.sites_compute`` reads them and the DNA LRs of all
    # these sites' bodies (as a full computation does).
    shared: SharedInputs | None = None
    read_at: tuple[int, list[int]] = (0, [])
    if caches is not None:
        if register is None:
            read_at = changes.snapshot()
            shared = shared_inputs(organisation)
        else:
            shared = register.refresh(organisation)
            read_at = (register.last, register.unseen)
    # A body's new or changed DNA profile: screened against the families the
    # national screening's tables name only (``screening_sieve``), when they
    # are current; else against every family.
    sieve = _LazySieve(organisation.pk, read_at) if caches is not None else None
    priors: dict[int, float | None] = {}
    defer = float(getattr(settings, "IMENA_UPDATE_DEFER_BELOW", 0.0))
    for site in sites:
        cache = None if caches is None else caches.setdefault(site.pk, SiteCache())
        if cache is not None and register is not None and shared is not None:
            cache.thresholds = _decision_thresholds()
            cache.hold_reason = "not held"
            how = _untouched(site, cache, shared, pending.get(site.pk, []), defer)
            if how == "untouched":
                outcome.untouched.append(site.pk)
                continue
            if how == "held":
                _absorb(cache, pending.get(site.pk, []))
                outcome.deferred.append(site.pk)
                continue
        priors[site.pk] = _prior_kept(site)
    sites = [s for s in sites if s.pk in priors]
    if caches is None:
        # Without a worker's state: the sites in worker processes (compute_all).
        from imena.identification.compute_all import sites_compute

        outcome.runs = sites_compute(
            actor=actor,
            organisation=organisation,
            sites=sites,
            priors=priors,
            workers=workers,
            pending=pending,
        )
        outcome.seconds = time.perf_counter() - started
        return outcome
    for site in sites:
        _worker_run(
            actor,
            site,
            caches.setdefault(site.pk, SiteCache()),
            shared,
            sieve,
            pending.get(site.pk, []),
            priors[site.pk],
            defer,
            outcome,
        )
    outcome.deferred_bodies = sum(len(c.deferred) for c in caches.values())
    outcome.seconds = time.perf_counter() - started
    return outcome


def _decision_thresholds() -> tuple[float, ...]:
    """The posteriors where a work list or a proposal decides (no body near
    one is deferred)."""
    from imena.identification.worklist import STRONG_POSTERIOR

    return (STRONG_POSTERIOR, float(settings.IMENA_PROPOSE_MIN_POSTERIOR))


def _absorb(cache: SiteCache, rows: Sequence[tuple[int, str, int | None]]) -> None:
    """The worker's cache holds these pending rows (taken into account with
    bodies deferred): they stay open until a run leaves no body deferred."""
    held = cache.extra.setdefault("absorbed", {})
    for row in rows:
        held[row[0]] = row


def _prior_kept(site: Site) -> float | None:
    """The prior of "none of these" for the site's next run: one set by a
    user stays; an estimated one is estimated again (None)."""
    last = (
        CandidateRun.objects.filter(site=site)
        .order_by("-created", "-pk")
        .values_list("p_unlisted", "p_unlisted_basis")
        .first()
    )
    return last[0] if last is not None and last[1] == USER_PRIOR else None


def _worker_run(
    actor: User | None,
    site: Site,
    cache: SiteCache,
    shared: SharedInputs | None,
    sieve: _LazySieve | None,
    pending: Sequence[tuple[int, str, int | None]],
    prior: float | None,
    defer: float,
    outcome: UpdateOutcome,
) -> None:
    """One site's run with the worker's cache (bodies moved by less than
    ``defer`` deferred; no run stored when that changed no body's result),
    added to ``outcome``. The rows the cache holds (``_absorb``) go with
    ``pending``: done when no body is left deferred, else held."""
    before = cache.extra.get("run")
    held = cache.extra.get("absorbed") or {}
    taken = {p[0] for p in pending}
    rows = [*pending, *(r for pk, r in sorted(held.items()) if pk not in taken)]
    cache.dna_sieve = sieve
    cache.defer_below = defer
    cache.thresholds = _decision_thresholds()
    try:
        run, result = candidates_compute(
            actor=actor,
            site=site,
            p_unlisted=prior,
            shared=shared,
            cache=cache,
            pending=rows,
            worker=True,
        )
    finally:
        cache.dna_sieve = None
        cache.defer_below = 0.0
    if result.deferred:
        _absorb(cache, rows)
    else:
        cache.extra.pop("absorbed", None)
    if before is not None and cache.extra.get("run") == before:
        outcome.deferred.append(site.pk)
    else:
        outcome.runs.append(run)


def identification_refresh(
    *,
    actor: User | None,
    organisation: Organisation,
    caches: dict[int, SiteCache],
    register: Register,
    sites: int = 1,
    shard: Shard | None = None,
    busy: Busy | None = None,
) -> UpdateOutcome:
    """The worker's work when no change is pending: compute exactly again
    the bodies that earlier updates deferred (``IMENA_UPDATE_DEFER_BELOW``),
    in up to ``sites`` sites (those with the most deferred bodies first),
    each stored as a new run. Only the deferred bodies (and what a pending
    change touches meanwhile) are computed; the result equals a full
    computation. ``shard``: only the sites of this shard (as
    ``identification_update``, and as it with the collector paused; ``busy``
    as there, with ``"refresh"``)."""
    with collector_paused():
        return _refresh(actor, organisation, caches, register, sites, shard, busy)


def _refresh(
    actor: User | None,
    organisation: Organisation,
    caches: dict[int, SiteCache],
    register: Register,
    sites: int,
    shard: Shard | None,
    busy: Busy | None,
) -> UpdateOutcome:
    """``identification_refresh``."""
    started = time.perf_counter()
    outcome = UpdateOutcome()
    stale = sorted(
        (
            pk
            for pk, c in caches.items()
            if (c.deferred or c.held or c.extra.get("absorbed"))
            and c.extra.get("run")
            and (shard is None or shard.has(pk))
        ),
        key=lambda pk: (-len(caches[pk].deferred), pk),
    )[: max(sites, 0)]
    chosen = list(Site.objects.filter(pk__in=stale, organisation=organisation))
    if not chosen:
        return outcome
    chosen.sort(key=lambda s: stale.index(s.pk))
    task = (busy, WorkerTask.REFRESH)
    return _idle_runs(actor, organisation, chosen, caches, register, started, task)


def _idle_runs(
    actor: User | None,
    organisation: Organisation,
    chosen: Sequence[Site],
    caches: dict[int, SiteCache],
    register: Register,
    started: float,
    busy: tuple[Busy | None, WorkerTask],
) -> UpdateOutcome:
    """The runs of an idle worker's look (``_refresh``,
    ``identification_warm``): each chosen site with its cache (a new one when
    it has none), computed exactly (nothing deferred). ``busy``: the caller's
    callback (called before the computation) and its task."""
    outcome = UpdateOutcome()
    # As ``identification_update``: the pending rows before the inputs.
    pending = pending_rows(s.pk for s in chosen)
    outcome.pending = sum(len(v) for v in pending.values())
    call, task = busy
    if call is not None:
        call(task, outcome.pending)
    shared = register.refresh(organisation)
    sieve = _LazySieve(organisation.pk, (register.last, register.unseen))
    for site in chosen:
        _worker_run(
            actor,
            site,
            caches.setdefault(site.pk, SiteCache()),
            shared,
            sieve,
            pending.get(site.pk, []),
            _prior_kept(site),
            0.0,
            outcome,
        )
    outcome.deferred_bodies = sum(len(c.deferred) for c in caches.values())
    outcome.seconds = time.perf_counter() - started
    return outcome


def identification_warm(
    *,
    actor: User | None,
    organisation: Organisation,
    caches: dict[int, SiteCache],
    register: Register,
    sites: int = 1,
    shard: Shard | None = None,
    busy: Busy | None = None,
) -> UpdateOutcome:
    """The worker's work when nothing is pending or deferred: build its state
    of up to ``sites`` sites it holds none of (a ``SiteCache`` with a last
    run), smallest ids first, each computed in full and stored as a new run.

    A new report reaches every site, and a site without a state is computed
    in full (minutes at national size): without this, the first new report
    after a worker's start waited for all its sites. ``shard``: only the
    sites of this shard (as ``identification_update``, and as it with the
    collector paused; ``busy`` as there, with ``"warm"``)."""
    with collector_paused():
        started = time.perf_counter()
        cold = sorted(
            pk
            for pk in site_ids_with_bodies(organisation.pk)
            if (shard is None or shard.has(pk))
            and not (pk in caches and caches[pk].extra.get("run"))
        )[: max(sites, 0)]
        chosen = list(Site.objects.filter(pk__in=cold).order_by("pk"))
        if not chosen:
            return UpdateOutcome()
        # (a site with no state is computed in full: nothing to defer)
        task = (busy, WorkerTask.WARM)
        return _idle_runs(actor, organisation, chosen, caches, register, started, task)


def worker_started(
    *, organisation: Organisation, shard: Shard | None, interval: float
) -> WorkerBeat:
    """The ``WorkerBeat`` of a worker that starts (``imena identification
    update --loop``): its organisation and shard's row, made or taken over
    (another process's row of the same shard is replaced: one worker a
    shard), with this host and process, seen now, nothing computed yet."""
    now = timezone.now()
    beat, _made = WorkerBeat.objects.update_or_create(
        organisation=organisation,
        shard=str(shard) if shard else "",
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "interval": interval,
            "started": now,
            "seen": now,
            "busy_since": None,
            "task": "",
            "changes": 0,
            "error": "",
            "error_at": None,
            "stopped": None,
        },
    )
    return beat


def worker_seen(
    beat: WorkerBeat, *, task: WorkerTask | None = None, changes: int = 0
) -> None:
    """The worker is about to compute (``task``, ``changes`` pending), or
    (no ``task``) waits for the next look."""
    now = timezone.now()
    _beat_write(
        beat,
        seen=now,
        busy_since=now if task else None,
        task=task or "",
        changes=changes if task else 0,
    )


def worker_error(beat: WorkerBeat, message: str) -> None:
    """A look of the worker failed (``message``: the error's first line).
    Kept with its time until the worker starts again; the row says it waits
    (the next look tries again)."""
    now = timezone.now()
    _beat_write(
        beat,
        error=message[:500],
        error_at=now,
        seen=now,
        busy_since=None,
        task="",
        changes=0,
    )


def worker_stopped(beat: WorkerBeat) -> None:
    """The worker's loop ended (a signal, ``--rounds``, an error that ends the
    command): the pages say it stopped, and when."""
    now = timezone.now()
    _beat_write(beat, seen=now, stopped=now, busy_since=None, task="", changes=0)


def _beat_write(beat: WorkerBeat, **fields: Any) -> None:
    """One UPDATE of the worker's row, only while it is this process's: a
    worker of the same shard started since (``worker_started`` took the row
    over) is not overwritten by the one it replaced."""
    for name, value in fields.items():
        setattr(beat, name, value)
    WorkerBeat.objects.filter(pk=beat.pk, host=beat.host, pid=beat.pid).update(**fields)


def _store(
    run: CandidateRun,
    result: SiteResult,
    data: dict[str, Any],
    *,
    copy_from: int | None = None,
    cache: SiteCache | None = None,
    hold: bool = False,
) -> int:
    """Store the result as ``run``'s analyses and candidates; return the
    number of bodies whose results were kept from ``copy_from``.

    ``copy_from``: the run that stored the last result of ``cache`` (the
    same site): the bodies whose results the engine kept (``SiteResult.
    recomputed``) are not built again. With ``hold`` (``copy_from`` is the
    site's latest run), ``run`` holds the analyses of those whose exclusions
    are the same too (``SiteResult.relisted``): they stay as they are, held
    until a later run (``BodyAnalysis.until``). The other kept rows are
    copied from ``copy_from`` by the database (``INSERT ... SELECT``), with
    the new number of persons considered. Their candidates' evidence is that
    of the same numbers, records, overrides, leads and model. The analyses
    the site's last run held and ``run`` does not are held no longer.
    """
    persons, pins = _ids_of(data["persons"], data["person_inputs"])
    bins = {b.body_id: b for b in data["bodies"]}
    lead_names = _lead_names(data["leads"], cache)
    copy_ids = (
        [bid for bid in result.bodies if bid not in result.recomputed]
        if copy_from is not None
        else []
    )
    copy_set = set(copy_ids)
    # Analyses copied: the bodies whose exclusions are the same (those of a
    # body computed again get its new posteriors after the copy).
    copy_analysis = (
        [bid for bid in result.bodies if bid not in result.relisted]
        if copy_from is not None
        else []
    )
    copy_analysis_set = set(copy_analysis)
    held = {bid for bid in copy_ids if bid in copy_analysis_set} if hold else set()
    if held:
        copy_ids = [bid for bid in copy_ids if bid not in held]
        copy_analysis = [bid for bid in copy_analysis if bid not in held]
    traits: dict[tuple[str, str], Any] | None = None
    if cache is not None:
        model, traits = cache.extra.get("traits", (None, None))
        if traits is None or model != result.physical_model:
            traits = {}
        else:
            gone_b, gone_p = cache.changed_bodies, cache.changed_persons
            if gone_b or gone_p:
                traits = {
                    k: v
                    for k, v in traits.items()
                    if k[0] not in gone_b and k[1] not in gone_p
                }
        cache.extra["traits"] = (result.physical_model, traits)
    analyses = []
    for body_id, br in result.bodies.items():
        if body_id in copy_analysis_set:
            continue
        # Pairs computed one by one and excluded, then the first blocked ones.
        excl = [
            {"person": pid, "case_no": pins[pid].label, "reasons": pr.exclusions}
            for pid, pr in br.pairs.items()
            if pr.excluded
        ]
        seen = {e["person"] for e in excl}
        excl += [
            {"person": pid, "case_no": pins[pid].label, "reasons": reasons}
            for pid, reasons in br.blocked_listed
            if pid not in seen
        ]
        analyses.append(
            BodyAnalysis(
                run=run,
                site_id=run.site_id,
                body_id=int(body_id),
                posterior_unlisted=br.posterior.posterior_unlisted,
                others_posterior=br.others_mass,
                considered=br.n_considered,
                method=br.posterior.method[:40],
                own_exclusions=excl,
            )
        )
    BodyAnalysis.objects.bulk_create(analyses, batch_size=500)
    if copy_analysis or copy_ids:
        _copy_rows(copy_from, run, copy_analysis, copy_ids, len(data["persons"]))
    _hold_no_longer(run, held)
    # The records the engine read (the same objects' fields), else read here.
    pm_known = cache.pm_records if cache is not None else {}
    site_: Any = cache.site if cache is not None else None
    same_table = site_ is not None and len(site_.table) == len(site_.persons)

    def am_record(pid: str, pin: PersonIn) -> AMRecord:
        j = site_.index.get(pid) if same_table else None
        if j is not None and site_.persons[j] is pin:
            return site_.table.records[j]
        return AMRecord.from_dict({**pin.am, "am_case_no": pid})

    by_body = {str(a.body_id): a.pk for a in analyses}
    again = [bid for bid in copy_analysis if bid not in copy_set]
    if again:
        by_body.update(_analyses_again(run, {bid: result.bodies[bid] for bid in again}))
    rows: list[dict[str, Any]] = []
    # The reports' names (``str`` of a report), kept with the cache while
    # the report is the same object.
    named: dict[str, tuple[Any, str]] = (
        cache.extra.setdefault("names", {}) if cache is not None else {}
    )

    def name_of(pid: str) -> str:
        obj = persons[pid]
        kept = named.get(pid)
        if kept is None or kept[0] is not obj:
            kept = named[pid] = (obj, str(obj))
        return kept[1]

    for body_id, br in result.bodies.items():
        if body_id in copy_set:
            continue
        b = bins[body_id]
        known = pm_known.get(body_id)
        pm = (
            known[1]
            if known is not None and known[0] is b
            else PMRecord.from_dict({**b.pm, "body_id": body_id})
        )
        of_pid = {c.person_id: c for c in br.posterior.candidates}
        for rank, pid in enumerate(br.kept, start=1):
            cp = of_pid[pid]
            pair = br.pairs[pid]
            pin = pins[pid]
            am = am_record(pid, pin)
            ev = evidence_json(
                br,
                pid,
                am=am,
                pm=pm,
                overrides=data["overrides"].get((body_id, pid), {}),
                lead_names=lead_names.get(br.grave_id, []),
                relations=list((pin.family or {}).get("relations") or []),
                model=result.physical_model,
                traits=traits,
                candidate=cp,
            )
            ev["person_label"] = f"{pin.label} {name_of(pid)}"
            rows.append(
                {
                    "analysis": by_body[body_id],
                    "person": int(pid),
                    "rank": rank,
                    "prior": cp.prior,
                    "lr_journal": pair.lr["journal"],
                    "lr_physical": 0.0 if pair.excluded else pair.lr["physical"],
                    "lr_dna": min(pair.lr["dna"], 1e300),
                    "lr": min(cp.lr, 1e300),
                    "posterior": min(1.0, max(0.0, cp.posterior)),
                    "evidence": ev,
                }
            )
    _insert(Candidate, rows)
    return len(copy_ids) + len(held)


def _lead_names(leads: Sequence[Any], cache: SiteCache | None) -> dict[str, list[str]]:
    """The names the journal leads give each grave, kept with the cache while
    its inputs keep the same list of leads (``_worker_inputs``; a thousand
    leads a site were read again for every update)."""
    kept = cache.extra.get("lead_names") if cache is not None else None
    if kept is not None and kept[0] is leads:
        names: dict[str, list[str]] = kept[1]
        return names
    names = {}
    for lead in leads:
        names.setdefault(lead.grave_id, []).append(lead.name)
    if cache is not None:
        cache.extra["lead_names"] = (leads, names)
    return names


def _insert(model: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows of ``model`` (field name -> value; the other fields take
    their defaults; no ids back): by ``COPY`` on PostgreSQL, else with one
    statement executed for every row (``executemany``). ``bulk_create``
    built one statement of 500 rows' values, which Django compiled and
    psycopg parsed again for every batch (0.6 ms a candidate, most of an
    update's store, #13), and a model instance per row (0.4 ms each in the
    worker's large heap)."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # (``connection`` is a proxy that looks the connection up at each use.)
    db = connections[DEFAULT_DB_ALIAS]
    defaults = {f.name: f.get_default() for f in fields if f.has_default()}
    unknown = set(rows[0]) - {f.name for f in fields}
    if unknown:
        raise ValueError(f"{meta.label}: no field {sorted(unknown)}")
    columns = ", ".join(qn(str(f.column)) for f in fields)
    prep = [_json_text(f, db) if db.vendor == "postgresql" else None for f in fields]
    values = [
        tuple(
            (p or f.get_db_prep_save)(
                row[f.name] if f.name in row else defaults[f.name], db
            )
            for f, p in zip(fields, prep, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        if db.vendor == "postgresql":
            # ``COPY``: the rows streamed in one statement, no statement per
            # row for the server to run (a third of the time of the pipelined
            # ``INSERT``s, the values' encoding aside).
            # (Errors as Django's, as through the cursor's ``execute``.)
            with (
                db.wrap_database_errors,
                cursor.cursor.copy(
                    f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"
                ) as copy,
            ):
                for value in values:
                    copy.write_row(value)
            return
        cursor.executemany(
            f"INSERT INTO {qn(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            values,
        )


def _json_text(field: Any, db: Any) -> Callable[[Any, Any], Any] | None:
    """For a JSON field on PostgreSQL: a document (dict or list) as JSON
    text in UTF-8, without spaces (the server parses it as ``jsonb``, the
    same value); anything else as Django prepares it. Django's own encoding
    writes every Cyrillic letter as a 6-byte escape: the candidates'
    evidence, in Ukrainian and English, came to a third more text for the
    server to read (#13)."""
    if not isinstance(field, models.JSONField):
        return None
    encoder = field.encoder

    def prep(value: Any, connection: Any) -> Any:
        if isinstance(value, dict | list):
            return compact_json(value, encoder)
        return field.get_db_prep_save(value, connection)

    return prep


_IDS: list[Any] = []


def _ids_replaced(old: SharedInputs, new: SharedInputs, at: Sequence[int]) -> None:
    """``_ids_of`` of ``new``'s lists from ``old``'s, when ``new`` holds the
    same reports, those at the positions ``at`` read again (when ``old``'s
    were built: the dictionaries copied, those reports replaced)."""
    if not (_IDS and _IDS[0] is old.persons and _IDS[1] is old.person_inputs):
        return
    objs, pins = dict(_IDS[2]), dict(_IDS[3])
    for j in at:
        obj, pin = new.persons[j], new.person_inputs[j]
        objs[str(obj.pk)], pins[pin.person_id] = obj, pin
    _IDS[:] = [new.persons, new.person_inputs, objs, pins]


def _ids_of(
    persons: list[Any], pins: Sequence[PersonIn]
) -> tuple[dict[str, Any], dict[str, PersonIn]]:
    """The reports and their ``PersonIn`` by id, built once for the same two
    lists (the worker's register: every site of an update shares them)."""
    if _IDS and _IDS[0] is persons and _IDS[1] is pins:
        return _IDS[2], _IDS[3]
    found = ({str(p.pk): p for p in persons}, {p.person_id: p for p in pins})
    _IDS[:] = [persons, pins, *found]
    return found


def _analyses_again(run: CandidateRun, bodies: Mapping[str, Any]) -> dict[str, int]:
    """The analyses of bodies computed again whose exclusions are those of
    the last run (copied by ``_copy_rows``): their new posteriors written;
    return their ids by body."""
    a: Any = BodyAnalysis._meta
    qn = connection.ops.quote_name

    def col(name: str) -> str:
        return qn(str(a.get_field(name).column))

    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {qn(a.db_table)} SET {col('posterior_unlisted')} = %s, "
            f"{col('others_posterior')} = %s, {col('method')} = %s "
            f"WHERE {col('run')} = %s AND {col('body')} = %s",
            [
                (
                    br.posterior.posterior_unlisted,
                    br.others_mass,
                    br.posterior.method[:40],
                    run.pk,
                    int(bid),
                )
                for bid, br in bodies.items()
            ],
        )
    ids = [int(b) for b in bodies]
    out: dict[str, int] = {}
    for start in range(0, len(ids), 2000):
        out.update(
            (str(body), pk)
            for body, pk in BodyAnalysis.objects.filter(
                run=run, body_id__in=ids[start : start + 2000]
            ).values_list("body_id", "pk")
        )
    return out


def _copy_rows(
    source: int | None,
    run: CandidateRun,
    analysis_bodies: Sequence[str],
    candidate_bodies: Sequence[str],
    considered: int,
) -> None:
    """Copy the analyses of ``analysis_bodies`` and the candidates of
    ``candidate_bodies`` from run ``source`` into ``run`` (whose analyses of
    the other bodies are stored already), in the database."""
    qn = connection.ops.quote_name
    a, c = BodyAnalysis._meta, Candidate._meta

    def column(meta: Any, name: str) -> str:
        return str(meta.get_field(name).column)

    a_cols = [str(f.column) for f in a.concrete_fields if not f.primary_key]
    c_cols = [str(f.column) for f in c.concrete_fields if not f.primary_key]
    run_col, body_col = column(a, "run"), column(a, "body")
    until_col, considered_col = column(a, "until"), column(a, "considered")
    own_col, of_col = column(a, "own_exclusions"), column(a, "exclusions_of")
    analysis_col = column(c, "analysis")
    pk_col = str(a.pk.column) if a.pk is not None else "id"
    # New values for the run, the count considered and the run holding it
    # until (none yet), in column order. The listed exclusions are not
    # copied: the copy refers to the analysis that stores them.
    new = {run_col: run.pk, considered_col: considered, until_col: None}
    a_params = [new[x] for x in a_cols if x in new]
    empty = "CAST('[]' AS jsonb)" if connection.vendor == "postgresql" else "'[]'"
    a_values = {
        own_col: empty,
        of_col: f"COALESCE(o.{qn(of_col)}, o.{qn(pk_col)})",
    }
    of_source = CandidateRun(pk=source, site_id=run.site_id)

    def source_rows(part: list[int]) -> tuple[str, list[Any]]:
        # The ids of the analyses of run ``source`` of these bodies (by
        # ``of_run``, the one definition of a run's analyses).
        sql, params = (
            BodyAnalysis.objects.of_run(of_source)
            .filter(body_id__in=part)
            .values("pk")
            .query.sql_with_params()
        )
        return sql, list(params)

    with connection.cursor() as cursor:
        for start in range(0, len(analysis_bodies), 500):
            ids, params = source_rows(
                [int(b) for b in analysis_bodies[start : start + 500]]
            )
            cursor.execute(
                f"INSERT INTO {qn(a.db_table)} ({', '.join(map(qn, a_cols))}) "
                f"SELECT {', '.join('%s' if x in new else a_values.get(x, 'o.' + qn(x)) for x in a_cols)} "
                f"FROM {qn(a.db_table)} o WHERE o.{qn(pk_col)} IN ({ids})",
                [*a_params, *params],
            )
        for start in range(0, len(candidate_bodies), 500):
            ids, params = source_rows(
                [int(b) for b in candidate_bodies[start : start + 500]]
            )
            cursor.execute(
                f"INSERT INTO {qn(c.db_table)} ({', '.join(map(qn, c_cols))}) "
                f"SELECT {', '.join('n.' + qn(pk_col) if x == analysis_col else 'c.' + qn(x) for x in c_cols)} "
                f"FROM {qn(c.db_table)} c "
                f"JOIN {qn(a.db_table)} o ON o.{qn(pk_col)} = c.{qn(analysis_col)} "
                f"JOIN {qn(a.db_table)} n ON n.{qn(body_col)} = o.{qn(body_col)} "
                f"AND n.{qn(run_col)} = %s "
                f"WHERE o.{qn(pk_col)} IN ({ids})",
                [run.pk, *params],
            )


def _hold_no_longer(run: CandidateRun, held: set[str]) -> None:
    """The analyses of ``run``'s site that its last run held, but for those
    of the bodies in ``held`` (which ``run`` holds too), held until ``run``."""
    open_rows = (
        BodyAnalysis.objects.current()
        .filter(site_id=run.site_id)
        .exclude(run_id=run.pk)
        .values_list("pk", "body_id")
    )
    ended = [pk for pk, body in open_rows if str(body) not in held]
    for start in range(0, len(ended), 2000):
        BodyAnalysis.objects.filter(pk__in=ended[start : start + 2000]).update(
            until=run
        )


# --- Review workflow --------------------------------------------------------------


def _require_can(user: User, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied(_("Your role does not allow this."))


@transaction.atomic
def identification_propose(
    *,
    actor: User,
    candidate: Candidate,
    comment: str = "",
    justification: str = "",
    primary_identifier: str = "",
    primary_reference: str = "",
) -> Identification:
    """Propose that the candidate's body is the candidate's person.

    Below the configured posterior, or without a primary identifier, the proposal
    carries warnings (``safeguards``) and needs a written ``justification``. A dental
    or fingerprint comparison counts as a primary identifier only with the reference
    of its report (``primary_reference``); DNA counts when its LR is high enough.
    """
    _require_can(actor, "identification.propose")
    if primary_identifier and not primary_reference.strip():
        raise ValidationError(
            {
                "primary_reference": _(
                    "Name the comparison report that makes this an identification."
                )
            }
        )
    primary = safeguards.primary_identifier(candidate, primary_identifier)
    warnings = safeguards.warnings_for(candidate, primary)
    if warnings and not justification.strip():
        raise ValidationError(
            {
                "justification": [
                    _("This proposal needs a written justification:"),
                    *safeguards.warning_texts(warnings),
                ]
            }
        )
    body = candidate.analysis.body
    if Identification.objects.filter(
        body=body,
        status__in=[IdentificationStatus.PROPOSED, IdentificationStatus.CONFIRMED],
    ).exists():
        raise ValidationError(
            _("This body already has a proposed or confirmed identification.")
        )
    if candidate.lr <= 0:
        raise ValidationError(_("An excluded candidate cannot be proposed."))
    ident = Identification(
        organisation_id=body.organisation_id,
        body=body,
        person=candidate.person,
        posterior=candidate.posterior,
        evidence={
            **candidate.evidence,
            "run": candidate.analysis.run_id,
            "candidate": candidate.pk,
        },
        proposed_by=actor,
        comment=comment,
        primary_identifier=primary,
        primary_reference=primary_reference.strip() if primary != "dna" else "",
        warnings=warnings,
        justification=justification.strip(),
    )
    ident.full_clean()
    ident.save()
    audit_record(
        actor=actor,
        action="identification.propose",
        obj=ident,
        after=snapshot(ident),
        organisation_id=ident.organisation_id,
    )
    return ident


@transaction.atomic
def identification_confirm(
    *,
    actor: User,
    identification: Identification,
    comment: str = "",
    acknowledge_warnings: bool = False,
) -> Identification:
    """The second person agrees. The proposer can never confirm their own proposal."""
    _require_can(actor, "identification.review")
    ident = Identification.objects.select_for_update().get(pk=identification.pk)
    if ident.status != IdentificationStatus.PROPOSED:
        raise ValidationError(_("Only a proposed identification can be confirmed."))
    if ident.proposed_by_id == actor.pk:
        raise PermissionDenied(
            _("The person who proposed an identification cannot also confirm it.")
        )
    if ident.warnings and not acknowledge_warnings:
        raise ValidationError(
            {
                "acknowledge_warnings": [
                    _(
                        "This identification was proposed despite warnings; "
                        "confirm them explicitly:"
                    ),
                    *safeguards.warning_texts(ident.warnings),
                ]
            }
        )
    Confirmation.objects.create(
        identification=ident,
        proposer_id=ident.proposed_by_id,
        reviewer=actor,
        comment=comment,
        warnings_acknowledged=bool(ident.warnings),
    )
    ident.status = IdentificationStatus.CONFIRMED
    ident.closed_by = actor
    ident.closed_at = timezone.now()
    ident.save(update_fields=["status", "closed_by", "closed_at"])
    audit_record(
        actor=actor,
        action="identification.confirm",
        obj=ident,
        before={"status": IdentificationStatus.PROPOSED},
        after={
            "status": ident.status,
            "reviewer": actor.pk,
            "proposer": ident.proposed_by_id,
            "comment": comment,
            "warnings_acknowledged": bool(ident.warnings),
            "presumptive": ident.presumptive,
        },
        organisation_id=ident.organisation_id,
    )
    _mark_identified(actor, ident)
    return ident


def _mark_identified(actor: User, ident: Identification) -> None:

    reason = _("Identification confirmed (%(body)s).") % {"body": ident.body.pm_number}
    grave = ident.body.grave
    # The grave is identified once every body found in it is.
    bodies = list(grave.bodies.all())
    confirmed = set(
        Identification.objects.filter(
            body__in=bodies, status=IdentificationStatus.CONFIRMED
        ).values_list("body_id", flat=True)
    )
    if bodies and all(b.pk in confirmed for b in bodies) and grave.status != "returned":
        grave_set_status(
            actor=actor, grave=grave, status=GraveStatus.IDENTIFIED, reason=reason
        )
    missing_person_set_status(
        actor=actor, person=ident.person, status=Status.IDENTIFIED, reason=reason
    )


@transaction.atomic
def identification_reject(
    *, actor: User, identification: Identification, reason: str
) -> Identification:
    """Proposer or reviewer turns a proposal down, saying why."""
    if not (
        can(actor, "identification.review") or can(actor, "identification.propose")
    ):
        raise PermissionDenied(_("Your role does not allow this."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the identification is rejected.")})
    ident = Identification.objects.select_for_update().get(pk=identification.pk)
    if ident.status != IdentificationStatus.PROPOSED:
        raise ValidationError(_("Only a proposed identification can be rejected."))
    ident.status = IdentificationStatus.REJECTED
    ident.closed_by = actor
    ident.closed_at = timezone.now()
    ident.close_reason = reason
    ident.save(update_fields=["status", "closed_by", "closed_at", "close_reason"])
    audit_record(
        actor=actor,
        action="identification.reject",
        obj=ident,
        before={"status": IdentificationStatus.PROPOSED},
        after={"status": ident.status, "reason": reason},
        organisation_id=ident.organisation_id,
    )
    return ident


@transaction.atomic
def identification_reopen(
    *, actor: User, identification: Identification, reason: str
) -> Identification:
    """New evidence contradicts a confirmed identification: reopen it, keep history."""

    _require_can(actor, "identification.review")
    if not reason.strip():
        raise ValidationError({"reason": _("Say what new evidence contradicts it.")})
    ident = Identification.objects.select_for_update().get(pk=identification.pk)
    if ident.status != IdentificationStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed identification can be reopened."))
    ident.status = IdentificationStatus.REOPENED
    ident.close_reason = reason
    ident.closed_by = actor
    ident.closed_at = timezone.now()
    ident.save(update_fields=["status", "close_reason", "closed_by", "closed_at"])
    audit_record(
        actor=actor,
        action="identification.reopen",
        obj=ident,
        before={"status": IdentificationStatus.CONFIRMED},
        after={"status": ident.status, "reason": reason},
        organisation_id=ident.organisation_id,
    )
    grave = ident.body.grave
    if grave.status == GraveStatus.IDENTIFIED:
        grave_set_status(
            actor=actor, grave=grave, status=GraveStatus.AT_MORGUE, reason=reason
        )
    missing_person_set_status(
        actor=actor, person=ident.person, status=Status.OPEN, reason=reason
    )
    return ident


@transaction.atomic
def exclusion_override_create(
    *, actor: User, body: Body, person: MissingPerson, key: str, reason: str
) -> ExclusionOverride:
    """Set aside one hard exclusion for one pair; the reason is kept and audited."""
    _require_can(actor, "identification.review")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the exclusion is set aside.")})
    if not key.strip():
        raise ValidationError({"key": _("Say which exclusion is set aside.")})
    override = ExclusionOverride(
        body=body,
        person=person,
        key=key.strip(),
        reason=reason.strip(),
        created_by=actor,
    )
    override.full_clean()
    override.save()
    audit_record(
        actor=actor,
        action="identification.override",
        obj=override,
        after=snapshot(override),
        organisation_id=body.organisation_id,
    )
    return override


@transaction.atomic
def exclusion_override_withdraw(
    *, actor: User, override: ExclusionOverride, reason: str
) -> ExclusionOverride:
    """Withdraw an override recorded in error: the exclusion counts again from
    the next computation. The override is kept, with the reason, time and
    reviewer, and audited; the pair may be overridden anew."""
    _require_can(actor, "identification.review")
    override, _changed = withdraw(
        override,
        actor=actor,
        reason=reason.strip(),
        action="identification.override.withdraw",
        organisation_id=override.body.organisation_id,
        key={
            "body": override.body_id,
            "person": override.person_id,
            "key": override.key,
        },  # fmt: skip
        already=_("This override is already withdrawn."),
    )
    return override


@transaction.atomic
def family_notification_record(
    *,
    actor: User,
    identification: Identification,
    notified_by: str,
    notified_whom: str,
    notified_on: Any,
    method: str,
    relationship: str = "",
    notes: str = "",
) -> FamilyNotification:
    """Record that the family was told. Imena never notifies anyone itself.
    Family liaison officers only (``identification.notify``)."""
    _require_can(actor, "identification.notify")
    if identification.status != IdentificationStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed identification is notified."))
    if identification.presumptive:
        raise ValidationError(
            _(
                "This identification is presumptive (no DNA, dental or fingerprint "
                "identification): the family is not notified of it as confirmed."
            )
        )
    note = FamilyNotification(
        identification=identification,
        notified_by=notified_by,
        notified_whom=notified_whom,
        relationship=relationship,
        notified_on=notified_on,
        method=method,
        notes=notes,
        recorded_by=actor,
    )
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action="identification.family_notified",
        obj=note,
        after=snapshot(note),
        organisation_id=identification.organisation_id,
    )
    return note


def _screening_check(
    threshold: float,
    top_k: int,
    dropout: float,
    theta: float,
    mutation: str,
    mutation_rate: float,
) -> float:
    """Refuse bad screening parameters; return the mutation rate to use."""
    errors: dict[str, str] = {}
    if not threshold > 0:
        errors["threshold"] = _("The threshold must be positive.")
    if not 1 <= top_k <= 50:
        errors["top_k"] = _("Keep between 1 and 50 candidates per body.")
    if not 0 <= dropout < 1:
        errors["dropout"] = _("The drop-out probability must be in [0, 1).")
    if not 0 <= theta < 1:
        errors["theta"] = _("Theta must be in [0, 1).")
    if mutation not in MUTATION_CHOICES:
        errors["mutation"] = _("Unknown mutation model.")
    if not 0 <= mutation_rate < 1:
        errors["mutation_rate"] = _("The mutation rate must be in [0, 1).")
    if errors:
        raise ValidationError(errors)
    return 0.0 if mutation == "none" else mutation_rate


def _candidate_rows(
    run: ScreeningRun, kept: Iterable[Kept]
) -> list[ScreeningCandidate]:
    return [
        ScreeningCandidate(
            run=run,
            body_id=k.body_id,
            pm_label=k.pm_label,
            person_id=k.person_id,
            rank=k.rank,
            lr=min(k.lr, 1e300),
            log10_lr=k.log10_lr,
            inconsistent=k.inconsistent,
            per_marker=k.per_marker,
        )
        for k in kept
    ]


def _screening_store(
    *,
    actor: User | None,
    organisation_id: int,
    outcome: Any,
    params: dict[str, Any],
    fields: dict[str, Any],
    scope: dict[str, Any],
) -> ScreeningRun:
    """Store a screening run (a site's or the national one, ``fields``) and its
    candidates, and audit its parameters and counts (after ``scope``)."""
    run = ScreeningRun.objects.create(
        organisation_id=organisation_id,
        started_by=actor,
        bodies=outcome.bodies,
        families=outcome.families,
        missing_persons=outcome.missing_persons,
        pairs=outcome.pairs,
        candidates=len(outcome.kept),
        above_threshold=outcome.above_threshold,
        seconds=round(outcome.seconds, 3),
        status=ScreeningStatus.DONE,
        warnings=outcome.warnings[:200],
        **fields,
        **params,
    )
    ScreeningCandidate.objects.bulk_create(
        _candidate_rows(run, outcome.kept), batch_size=2000
    )
    audit_record(
        actor=actor,
        action="dna.screening.run",
        obj=run,
        after={
            **scope,
            "parameters": run.parameters,
            "bodies": run.bodies,
            "families": run.families,
            "missing_persons": run.missing_persons,
            "pairs": run.pairs,
            "candidates": run.candidates,
            "above_threshold": run.above_threshold,
            "seconds": run.seconds,
        },
        organisation_id=organisation_id,
    )
    return run


@transaction.atomic
def screening_run(
    *,
    actor: User | None,
    site: Site,
    threshold: float = 1e4,
    top_k: int = 5,
    dropout: float = 0.0,
    theta: float = 0.0,
    mutation: str = "none",
    mutation_rate: float = 0.0,
) -> ScreeningRun:
    """Screen a site's post-mortem profiles against the open families; keep candidates.

    Stores the run and its candidates (pairs with LR >= threshold and each
    body's top-k); audits parameters and counts, never genotypes.
    """
    mutation_rate = _screening_check(
        threshold, top_k, dropout, theta, mutation, mutation_rate
    )
    data = build_case_for_site(site, mutation=mutation, mutation_rate=mutation_rate)
    if not data["pm"]:
        lineage_only = lineage_only_bodies(
            organisation_id=site.organisation_id, site=site
        )
        if lineage_only:
            raise ValidationError(
                ngettext(
                    "No autosomal post-mortem profiles for the bodies of %(site)s: "
                    "%(n)d body has a lineage profile only (Y-STR or mtDNA), which "
                    "the screening does not compare. Identification candidates "
                    "compare lineage markers where a population table of that "
                    "kind is loaded.",
                    "No autosomal post-mortem profiles for the bodies of %(site)s: "
                    "%(n)d bodies have a lineage profile only (Y-STR or mtDNA), "
                    "which the screening does not compare. Identification "
                    "candidates compare lineage markers where a population table "
                    "of that kind is loaded.",
                    len(lineage_only),
                )
                % {"site": site.name, "n": len(lineage_only)}
            )
        raise ValidationError(
            _("No post-mortem profiles yet for the bodies of %(site)s.")
            % {"site": site.name}
        )
    if not data["am"]:
        raise ValidationError(
            _("No reference families with DNA profiles yet for open missing persons.")
        )
    try:
        outcome = run_screening(
            data, threshold=threshold, top_k=top_k, dropout=dropout, theta=theta
        )
    except KinshipError as e:
        raise ValidationError(
            _("The screening could not run: %(error)s") % {"error": str(e)}
        ) from None
    return _screening_store(
        actor=actor,
        organisation_id=site.organisation_id,
        outcome=outcome,
        params={
            "threshold": threshold,
            "top_k": top_k,
            "dropout": dropout,
            "theta": theta,
            "mutation": mutation,
            "mutation_rate": mutation_rate,
        },
        fields={"site": site},
        scope={"site": site.pk},
    )


def latest_national_screening(organisation_id: int) -> ScreeningRun | None:
    """The organisation's latest national screening, or None."""
    return (
        ScreeningRun.objects.filter(organisation_id=organisation_id, national=True)
        .order_by("-created", "-pk")
        .first()
    )


@transaction.atomic
def screening_run_national(
    *,
    actor: User | None,
    organisation: Organisation,
    threshold: float = 1e4,
    top_k: int = 5,
    dropout: float = 0.0,
    theta: float = 0.0,
    mutation: str = "none",
    mutation_rate: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> ScreeningRun:
    """Screen every current post-mortem profile of the organisation's sites
    against every open family; store the candidates as ``screening_run`` does.

    Families are read and screened in blocks (``screening_national``); the
    run keeps its markers so that profiles stored later update it
    (``screening_update``).  ``progress(done, total)`` after each block.
    """
    mutation_rate = _screening_check(
        threshold, top_k, dropout, theta, mutation, mutation_rate
    )
    params = {
        "threshold": threshold,
        "top_k": top_k,
        "dropout": dropout,
        "theta": theta,
        "mutation": mutation,
        "mutation_rate": mutation_rate,
    }
    # The families' tables are kept on disk for the updates (screening_tables).
    writer = TableWriter(organisation.pk)
    try:
        outcome, markers = screen_national(
            organisation.pk, params, progress=progress, writer=writer
        )
        if not outcome.bodies:
            raise ValidationError(_("No post-mortem profiles yet."))
        if not outcome.missing_persons:
            raise ValidationError(
                _(
                    "No reference families with DNA profiles yet for open missing persons."
                )
            )
    except KinshipError as e:
        writer.discard()
        raise ValidationError(
            _("The screening could not run: %(error)s") % {"error": str(e)}
        ) from None
    except BaseException:
        writer.discard()
        raise
    run = _screening_store(
        actor=actor,
        organisation_id=organisation.pk,
        outcome=outcome,
        params=params,
        fields={"national": True, "markers": markers},
        scope={"national": True},
    )
    writer.commit(run)
    return run


#: A batch of reference profiles touching more families than this re-runs
#: the national screening instead of updating it.
UPDATE_MAX_FAMILIES = CHUNK


@transaction.atomic
def screening_update(
    *,
    actor: User | None,
    organisation_id: int,
    profiles: Sequence[DNAProfile],
) -> tuple[ScreeningRun | None, set[int]]:
    """Bring the organisation's latest national screening up to date with
    ``profiles`` just stored; return the run and the bodies whose candidates
    changed (the ones identification must recompute).

    A post-mortem profile screens its body against every family; a reference
    profile screens its family against every body, and rewrites only the
    bodies whose kept candidates change (``screening_national.update_national``).
    Nothing happens without a national run.
    """
    run = (
        ScreeningRun.objects.select_for_update()
        .filter(organisation_id=organisation_id, national=True)
        .order_by("-created", "-pk")
        .first()
    )
    if run is None or not profiles:
        return run, set()
    started = time.perf_counter()
    ids = [p.pk for p in profiles]
    bodies = set(
        Sample.objects.filter(profile_id__in=ids).values_list("body_id", flat=True)
    )
    persons = set(
        ReferenceSample.objects.filter(profile_id__in=ids).values_list(
            "member__person_id", flat=True
        )
    )
    if len(persons) > UPDATE_MAX_FAMILIES:
        new = screening_run_national(
            actor=actor,
            organisation=run.organisation,
            **run.parameters,  # type: ignore[arg-type]
        )
        return new, set(new.candidate_rows.values_list("body_id", flat=True))
    rows = run.candidate_rows.all()
    stored: dict[int, list[StoredRow]] = {}
    for pk, body_id, person_id, case_no, log10, bad in rows.values_list(
        "pk", "body_id", "person_id", "person__case_no", "log10_lr", "inconsistent"
    ).iterator(chunk_size=5000):
        stored.setdefault(body_id, []).append(
            StoredRow(person_id, case_no, score_of(log10, bad), pk=pk)
        )
    update = update_national(run, stored, bodies=bodies, persons=persons)
    drop: list[int] = []
    ranks: list[ScreeningCandidate] = []
    create: list[Kept] = []
    for body_id, new_rows in update.rows.items():
        keep = {r.pk for r in new_rows if r.pk is not None}
        drop += [r.pk for r in stored.get(body_id, []) if r.pk not in keep]  # type: ignore[misc]
        for r in new_rows:
            if r.kept is not None:
                create.append(r.kept)
            elif r.pk is not None:
                ranks.append(ScreeningCandidate(pk=r.pk, rank=r.rank))
    for start in range(0, len(drop), 2000):
        ScreeningCandidate.objects.filter(pk__in=drop[start : start + 2000]).delete()
    ScreeningCandidate.objects.bulk_update(ranks, ["rank"], batch_size=2000)
    labels = dict(
        Body.objects.filter(pk__in={k.body_id for k in create}).values_list(
            "pk", "pm_number"
        )
    )
    for k in create:
        k.pm_label = labels[k.body_id]
    ScreeningCandidate.objects.bulk_create(
        _candidate_rows(run, create), batch_size=2000
    )
    run.bodies = update.bodies
    run.missing_persons = run.families = len(family_persons(organisation_id))
    run.pairs = run.bodies * run.missing_persons
    run.candidates = run.candidate_rows.count()
    run.above_threshold = run.candidate_rows.filter(lr__gte=run.threshold).count()
    run.updated = timezone.now()
    run.profiles_added += len(profiles)
    run.warnings = (run.warnings + update.notes)[:200]
    run.save(
        update_fields=[
            "bodies",
            "missing_persons",
            "families",
            "pairs",
            "candidates",
            "above_threshold",
            "updated",
            "profiles_added",
            "warnings",
        ]
    )
    touched = set(update.rows)
    # The bodies whose screening candidates changed: their identification too
    # (most are already pending through their profile or family).
    changes.bodies_changed(touched, "DNA screening")
    audit_record(
        actor=actor,
        action="dna.screening.update",
        obj=run,
        after={
            "profiles": len(profiles),
            "bodies_changed": len(touched),
            "bodies_rescreened": update.rescreened,
            "stored_tables": update.stored_tables,
            "candidates": run.candidates,
            "seconds": round(time.perf_counter() - started, 3),
        },
        organisation_id=organisation_id,
    )
    return run, touched


@transaction.atomic
def dna_profiles_upload(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    profiles: Mapping[str, Mapping[str, Any]],
    source_format: str,
    source_sha256: str,
) -> list[DNAProfile]:
    """Store the profiles of one file and link each to its sample; all or nothing.

    ``profiles`` is ``{sample id: {"sex", "genotypes"}}``.  Post-mortem profiles
    go to exhumation samples (``Sample.sample_id``), reference profiles to family
    reference samples (``ReferenceSample.sample_id``) with active consent.  A
    sample that already has a current profile gets a new one that supersedes it.
    The organisation's national screening, if any, is updated
    (``screening_update``).
    """
    if kind not in ProfileKind.values:
        raise ValidationError({"kind": _("Unknown profile kind.")})
    names = sorted(profiles)
    if kind == ProfileKind.POST_MORTEM:
        found: dict[str, Any] = {
            s.sample_id: s
            for s in Sample.objects.select_for_update().filter(
                organisation=organisation, sample_id__in=names
            )
        }
    else:
        found = {
            s.sample_id: s
            for s in ReferenceSample.objects.select_for_update()
            .select_related("member")
            .filter(organisation=organisation, sample_id__in=names)
        }
    unknown = [n for n in names if n not in found]
    if unknown:
        raise ValidationError(
            _("No %(kind)s sample with the id %(ids)s; nothing was stored.")
            % {
                "kind": ProfileKind(kind).label,
                "ids": ", ".join(unknown[:20]),
            }
        )
    created = []
    for name in names:
        sample = found[name]
        previous = sample.profile
        entry = merged_with(previous, profiles[name])
        if not (entry["genotypes"] or entry["ystr"] or entry["mtdna"]):
            raise ValidationError(
                _(
                    "Sample %(sample)s has no genotypes at known loci; nothing was stored."
                )
                % {"sample": name}
            )
        if kind == ProfileKind.REFERENCE and not sample.consent_active:
            raise ValidationError(
                _(
                    "Sample %(sample)s: the donor's consent is not active; "
                    "nothing was stored."
                )
                % {"sample": name}
            )
        sex = entry["sex"]
        if kind == ProfileKind.REFERENCE and not sex:
            sex = sample.member.sex
        profile = dna_profile_create(
            actor=actor,
            organisation=organisation,
            kind=kind,
            label=name,
            genotypes=entry["genotypes"],
            sex=sex,
            source_format=source_format,
            source_sha256=source_sha256,
            lab=getattr(sample, "lab", ""),
            supersedes=previous if previous and previous.is_current else None,
            ystr=entry["ystr"],
            mtdna=entry["mtdna"],
        )
        sample.profile = profile
        fields = ["profile"]
        if kind == ProfileKind.POST_MORTEM:
            sample.status = SampleStatus.PROFILE
            fields.append("status")
        sample.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="dna.profile.attach",
            obj=sample,
            before={"profile_id": previous.pk if previous else None},
            after={"profile_id": profile.pk, "loci": profile.loci_typed},
            organisation_id=organisation.pk,
        )
        created.append(profile)
    screening_update(actor=actor, organisation_id=organisation.pk, profiles=created)
    return created


@transaction.atomic
def family_fam_export_record(
    *, actor: User, person: Any, document: bytes, filename: str, notes: Sequence[str]
) -> Any:
    """Record who downloaded a family as a Familias file, and the SHA-256 of it."""
    after: dict[str, Any] = {
        "format": "familias",
        "filename": filename,
        "sha256": hashlib.sha256(document).hexdigest(),
        "bytes": len(document),
    }
    if notes:
        after["warnings"] = list(notes)
    return audit_record(
        actor=actor,
        action="dna.family.export_fam",
        obj=person,
        after=after,
    )

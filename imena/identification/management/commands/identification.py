from __future__ import annotations

import contextlib
import gc
import json
import signal
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.utils import timezone

from imena.accounts.models import Organisation
from imena.core.commands import ImenaCommand, organisation_by_code
from imena.core.times import iso_time
from imena.identification import selectors
from imena.identification.engine import SiteCache
from imena.identification.models import WorkerBeat, WorkerTask
from imena.identification.services import (
    Busy,
    Register,
    UpdateOutcome,
    identification_refresh,
    identification_update,
    identification_warm,
    worker_error,
    worker_seen,
    worker_started,
    worker_stopped,
)
from imena.identification.shards import Shard


class Command(ImenaCommand):
    help = (
        "Identification: `update` recomputes the candidates of every site with "
        "pending changes (reports, post-mortem records, DNA profiles stored since "
        "its last computation) and stores one new run per site; `update --loop` "
        "keeps doing so, keeping each site's computation state in memory so that "
        "only new or changed reports and bodies are compared again."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        up = sub.add_parser("update", help="Take the pending changes into account.")
        up.add_argument("--organisation", default="demo", help="Organisation code.")
        up.add_argument(
            "--loop",
            action="store_true",
            help="Keep running: look for pending changes every --interval seconds.",
        )
        up.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between looks."
        )
        up.add_argument(
            "--rounds",
            type=int,
            default=0,
            help="With --loop: stop after this many looks (0: never).",
        )
        up.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Without --loop: processes computing the sites side by side "
            "(default: IMENA_COMPUTE_WORKERS, else the CPUs up to 2).",
        )
        up.add_argument(
            "--shard",
            default=None,
            metavar="INDEX/COUNT",
            help="Only the sites whose id leaves INDEX divided by COUNT (e.g. 0/2 "
            "and 1/2: two workers side by side, one per core).",
        )
        up.add_argument(
            "--no-warm",
            action="store_true",
            help="With --loop: do not compute, when idle, the sites the worker "
            "holds no state of yet (it then computes each in full when the first "
            "change reaches it).",
        )
        up.add_argument("--json", action="store_true", help="Print JSON lines.")
        wk = sub.add_parser(
            "workers",
            help="What the organisation's workers (update --loop) last said: "
            "one line each (shard, process, state, since when, last error).",
        )
        wk.add_argument("--organisation", default="demo", help="Organisation code.")
        wk.add_argument(
            "--check",
            action="store_true",
            help="Exit 1 when a site with bodies has no worker seen lately "
            "(its pending changes wait): for monitoring.",
        )
        wk.add_argument(
            "--shard",
            default=None,
            metavar="INDEX/COUNT",
            help="With --check: only the sites of this shard (a worker's own "
            "health check).",
        )
        wk.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "workers":
            self._workers(options)
            return
        shard = _shard(options)
        org = organisation_by_code(options["organisation"])
        if not options["loop"]:
            self._looks(org, shard, None, None, None, options)
            return
        # The worker's row for the pages (``WorkerBeat``): what it does.
        beat = worker_started(
            organisation=org, shard=shard, interval=options["interval"]
        )
        # (on stderr: a service's log shows the worker runs, and for what;
        # the output read by scripts is unchanged)
        part = f", shard {shard}" if shard else ""
        self.stderr.write(
            f"identification worker: organisation {org.code}{part}, looking "
            f"for pending changes every {options['interval']:g} s"
        )
        # Stopped by SIGTERM (docker stop, systemctl stop, the demo's server
        # ending): the loop ends where it is (a site's run being stored is
        # rolled back, its rows stay pending), exit status 0, and the row
        # says the worker stopped, as after --rounds or an error that ends it.
        previous = _exit_on_sigterm()
        try:
            # The worker's state: one SiteCache per site and the open reports.
            self._looks(org, shard, {}, Register(), beat, options)
        finally:
            with contextlib.suppress(DatabaseError):
                worker_stopped(beat)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def _looks(
        self,
        org: Organisation,
        shard: Shard | None,
        caches: dict[int, SiteCache] | None,
        register: Register | None,
        beat: WorkerBeat | None,
        options: Any,
    ) -> None:
        """One look for pending changes, or (``--loop``: with the worker's
        state, ``caches`` and ``register``, and its row, ``beat``) one every
        ``--interval`` seconds until ``--rounds``."""

        def busy(task: WorkerTask, changes: int) -> None:
            if beat is not None:
                worker_seen(beat, task=task, changes=changes)

        rounds = 0
        while True:
            try:
                outcome = identification_update(
                    actor=None,
                    organisation=org,
                    caches=caches,
                    register=register,
                    workers=options["workers"],
                    shard=shard,
                    busy=busy,
                )
                if (
                    caches is not None
                    and register is not None
                    and not outcome.pending
                    and not outcome.runs
                ):
                    self._idle(org, caches, register, shard, options, busy)
                if beat is not None and (
                    beat.busy_since is not None
                    or (timezone.now() - beat.seen).total_seconds() >= beat.EVERY
                ):
                    worker_seen(beat)  # (waits again)
            except ValidationError as e:
                raise CommandError(" ".join(e.messages)) from None
            except DatabaseError as e:
                if not options["loop"]:
                    raise
                # The database lost for a moment (a server restarted, SQLite
                # busy past its timeout): what was stored is whole (a site's
                # run is one transaction), the rows not done stay pending.
                # The worker starts again as a new one would, with no state
                # (a cache may hold a run that was not stored).
                first = (str(e).strip().splitlines() or [type(e).__name__])[0]
                if beat is not None:
                    # (the database may still be away: then the pages say,
                    # later, that the worker is gone)
                    with contextlib.suppress(DatabaseError):
                        worker_error(beat, first)
                self.stderr.write(
                    f"database error: {first}; the worker starts again with no "
                    f"state in {options['interval']:g} s"
                )
                if not connection.in_atomic_block:
                    # (one a restarted server dropped is opened again; inside
                    # a caller's transaction, a test's, it is left alone)
                    connection.close()
                caches, register = {}, Register()
                # (the old state was frozen after each update: the collector
                # may free it again)
                gc.unfreeze()
                gc.collect()
                outcome = UpdateOutcome()  # (nothing done in this look)
            if outcome.pending or not options["loop"]:
                self._print(outcome, options)
            if caches is not None and outcome.pending:
                # The worker's caches live on: collected once and frozen, the
                # collector no longer walks their millions of objects on
                # every update (about half of an update's time otherwise).
                gc.collect()
                gc.freeze()
            rounds += 1
            if not options["loop"] or rounds == options["rounds"]:
                return
            time.sleep(max(0.0, options["interval"]))

    def _idle(
        self,
        org: Organisation,
        caches: dict[int, SiteCache],
        register: Register,
        shard: Shard | None,
        options: Any,
        busy: Busy,
    ) -> None:
        """A look with nothing pending: the bodies that updates deferred,
        computed exactly again, one site per look; when none, the state of one
        site the worker has none of (after a start: every site in turn)."""
        state: dict[str, Any] = {
            "actor": None,
            "organisation": org,
            "caches": caches,
            "register": register,
            "shard": shard,
            "busy": busy,
        }
        refreshed = identification_refresh(**state)
        if refreshed.runs:
            self._print(refreshed, options, refresh=True)
        elif not options["no_warm"]:
            warmed = identification_warm(**state)
            if warmed.runs:
                self._print(warmed, options, warm=True)

    def _print(
        self,
        outcome: UpdateOutcome,
        options: Any,
        refresh: bool = False,
        warm: bool = False,
    ) -> None:
        if options["json"]:
            out = {
                "pending": outcome.pending,
                "seconds": round(outcome.seconds, 3),
                # (keys added: scripts reading the earlier ones still work)
                "refresh": refresh,
                "warm": warm,
                "deferred_sites": len(outcome.deferred),
                "deferred_bodies": outcome.deferred_bodies,
                "runs": [
                    {
                        "run": r.pk,
                        "site": r.site.code,
                        "bodies": r.body_count,
                        "persons": r.person_count,
                        "pending_done": r.params.get("pending_done", 0),
                        "incremental": r.params.get("incremental", False),
                        "seconds": round(r.seconds, 3),
                    }
                    for r in outcome.runs
                ],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if refresh:
            self.stdout.write(
                f"Deferred bodies computed again: {len(outcome.runs)} sites "
                f"in {outcome.seconds:.1f} s"
            )
        elif warm:
            self.stdout.write(
                f"Worker state built: {len(outcome.runs)} sites computed in "
                f"{outcome.seconds:.1f} s"
            )
        elif not outcome.pending:
            self.stdout.write("No pending changes.")
            return
        else:
            self.stdout.write(
                f"{outcome.pending} pending changes: {len(outcome.runs)} sites "
                f"recomputed in {outcome.seconds:.1f} s"
            )
            if outcome.deferred_bodies:
                self.stdout.write(
                    f"{outcome.deferred_bodies} bodies deferred (moved by less "
                    f"than {settings.IMENA_UPDATE_DEFER_BELOW:g}); "
                    f"{len(outcome.deferred)} sites with no run"
                )
        for r in outcome.runs:
            how = "incremental" if r.params.get("incremental") else "full"
            self.stdout.write(
                f"{r.site.code}\trun {r.pk}\t{r.body_count} bodies\t"
                f"{r.params.get('pending_done', 0)} changes\t{how}\t{r.seconds:.1f} s"
            )

    def _workers(self, options: Any) -> None:
        """``imena identification workers``."""
        shard = _shard(options)
        org = organisation_by_code(options["organisation"])
        now = timezone.now()
        beats = [(b, b.state(now)) for b in selectors.worker_beats(org.pk)]
        uncovered = selectors.sites_without_worker(org.pk, now, shard)
        if options["json"]:
            out = {
                "organisation": org.code,
                "workers": [
                    {
                        "shard": b.shard,
                        "host": b.host,
                        "pid": b.pid,
                        "state": state,
                        "started": iso_time(b.started),
                        "seen": iso_time(b.seen),
                        "busy_since": iso_time(b.busy_since) if b.busy_since else None,
                        "task": b.task,
                        "changes": b.changes,
                        "error": b.error,
                        "error_at": iso_time(b.error_at) if b.error_at else None,
                        "stopped": iso_time(b.stopped) if b.stopped else None,
                    }
                    for b, state in beats
                ],
                "sites_without_worker": [s.code for s in uncovered],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            if not beats:
                self.stdout.write(f"No worker has run for organisation {org.code}.")
            for b, state in beats:
                since = b.busy_since or b.seen  # (set only while busy)
                doing = f" {b.task}" if state == "busy" else ""
                count = f" {b.changes} changes" if state == "busy" else ""
                error = (
                    f"\terror {iso_time(b.error_at)}: {b.error}" if b.error_at else ""
                )
                self.stdout.write(
                    f"{b.shard or 'all'}\t{b.host}:{b.pid}\t{state}{doing}{count}"
                    f"\tsince {iso_time(since)}{error}"
                )
            if uncovered:
                self.stdout.write(
                    f"{len(uncovered)} sites with bodies and no worker seen lately: "
                    + ", ".join(s.code for s in uncovered)
                )
        if options["check"] and uncovered:
            raise CommandError(
                f"{len(uncovered)} sites with bodies have no worker seen lately"
            )


def _shard(options: Any) -> Shard | None:
    """``--shard INDEX/COUNT``, or a one-line error."""
    try:
        return Shard.parse(options["shard"]) if options["shard"] else None
    except ValueError as e:
        raise CommandError(str(e)) from None


def _exit_on_sigterm() -> Any:
    """SIGTERM ends the process as ``SystemExit(0)`` (its ``finally`` blocks
    run); returns the handler it replaces, or None where none can be set (a
    thread other than the main one)."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:
        return None

"""What the identification workers say about themselves (``WorkerBeat``):
written by ``imena identification update --loop``, read by the pages and by
``imena identification workers``."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from imena.accounts.models import Organisation
from imena.burials.tests.factories import SiteFactory
from imena.identification import selectors, services
from imena.identification.management.commands import identification as command
from imena.identification.models import CandidateRun, WorkerBeat, WorkerTask
from imena.identification.shards import Shard
from imena.identification.tests.test_updates import _loop
from imena.missing.tests.factories import make_person


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, int]]:
    """Every ``worker_seen`` of the command, as (task or None, changes)."""
    calls: list[tuple[Any, int]] = []
    real = command.worker_seen

    def recording(beat: WorkerBeat, *, task: Any = None, changes: int = 0) -> None:
        calls.append((task, changes))
        real(beat, task=task, changes=changes)

    monkeypatch.setattr(command, "worker_seen", recording)
    return calls


def _beat(org: Organisation, **fields: Any) -> WorkerBeat:
    now = timezone.now()
    values: dict[str, Any] = {
        "host": "h",
        "pid": 1,
        "interval": 10.0,
        "started": now,
        "seen": now,
    }
    values.update(fields)
    return WorkerBeat.objects.create(organisation=org, **values)


def test_the_loop_says_it_computes_waits_and_stops(
    org: Organisation, run: CandidateRun, said: list[tuple[Any, int]]
) -> None:
    make_person(org, family_name="Новенький", given_names="Петро")
    make_person(org, family_name="Ще", given_names="Одна")
    _loop(org, 1, "--no-warm", stdout=StringIO(), stderr=StringIO())
    beat = WorkerBeat.objects.get(organisation=org)
    assert (beat.shard, beat.pid, beat.interval) == ("", os.getpid(), 0.0)
    # Busy with the two pending changes before the computation, waiting after.
    assert said == [(WorkerTask.UPDATE, 2), (None, 0)]
    assert beat.busy_since is None and beat.task == "" and beat.changes == 0
    # --rounds ended the loop: stopped.
    assert beat.stopped is not None and beat.started <= beat.seen == beat.stopped
    assert beat.state(timezone.now()) == "stopped"
    # A one-off update is no worker: no row of its own.
    WorkerBeat.objects.all().delete()
    make_person(org, family_name="Третя", given_names="Особа")
    call_command(
        "identification", "update", "--organisation", org.code, stdout=StringIO()
    )
    assert not WorkerBeat.objects.exists()


def test_sigterm_stops_the_worker_with_its_row_saying_so(
    org: Organisation, run: CandidateRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``docker compose stop``, ``systemctl stop``, the demo's server ending:
    exit status 0, the row says stopped, the test process's own SIGTERM handler
    is back afterwards."""

    def terminated(**kwargs: Any) -> Any:
        # (without the worker's handler the signal would end the test run)
        assert signal.getsignal(signal.SIGTERM) not in (before, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the worker")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(command, "identification_update", terminated)
    with pytest.raises(SystemExit) as stop:
        _loop(org, 0, "--no-warm", stdout=StringIO(), stderr=StringIO())
    assert stop.value.code == 0
    assert WorkerBeat.objects.get(organisation=org).state(timezone.now()) == "stopped"
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_replaced_worker_leaves_its_successors_row_alone(
    org: Organisation,
) -> None:
    old = services.worker_started(organisation=org, shard=None, interval=10.0)
    # Another process of the same shard starts (its host and process).
    WorkerBeat.objects.filter(pk=old.pk).update(host="other", pid=old.pid + 1)
    services.worker_seen(old, task=WorkerTask.UPDATE, changes=5)
    services.worker_stopped(old)
    row = WorkerBeat.objects.get(pk=old.pk)
    assert (row.host, row.task, row.changes, row.stopped) == ("other", "", 0, None)


def test_an_idle_look_writes_only_now_and_then(
    org: Organisation,
    run: CandidateRun,
    said: list[tuple[Any, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _loop(org, 3, "--no-warm", stdout=StringIO(), stderr=StringIO())
    # Nothing pending: the row written at the start, then no write (it was
    # seen less than EVERY ago).
    assert said == []
    monkeypatch.setattr(WorkerBeat, "EVERY", 0.0)
    _loop(org, 3, "--no-warm", stdout=StringIO(), stderr=StringIO())
    assert said == [(None, 0)] * 3


def test_the_warm_up_says_what_it_builds(
    org: Organisation, run: CandidateRun, said: list[tuple[Any, int]]
) -> None:
    _loop(org, 1, stdout=StringIO(), stderr=StringIO())
    assert said == [(WorkerTask.WARM, 0), (None, 0)]


def test_a_database_error_is_kept_on_the_workers_row(
    org: Organisation, run: CandidateRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    real = command.identification_update
    looks = [0]

    def failing_once(**kwargs: Any) -> Any:
        looks[0] += 1
        if looks[0] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(command, "identification_update", failing_once)
    _loop(org, 2, "--no-warm", stdout=StringIO(), stderr=StringIO())
    beat = WorkerBeat.objects.get(organisation=org)
    assert beat.error == "server closed the connection unexpectedly"
    assert beat.error_at is not None and beat.stopped is not None
    # A new start clears it.
    monkeypatch.setattr(command, "identification_update", real)
    _loop(org, 1, "--no-warm", stdout=StringIO(), stderr=StringIO())
    beat.refresh_from_db()
    assert (beat.error, beat.error_at) == ("", None)


def test_a_start_takes_over_its_shards_row(
    org: Organisation, run: CandidateRun
) -> None:
    _beat(org, shard="1/2", pid=99, host="elsewhere")
    _loop(org, 1, "--no-warm", "--shard", "1/2", stdout=StringIO(), stderr=StringIO())
    (beat,) = WorkerBeat.objects.filter(organisation=org)
    assert (beat.shard, beat.pid) == ("1/2", os.getpid())


@pytest.mark.django_db
def test_state_and_shard_of_a_beat() -> None:
    now = timezone.now()
    beat = WorkerBeat(interval=10.0, seen=now, started=now)
    assert beat.state(now) == "waiting"
    # Gone after MISSED times the longer of the interval and EVERY.
    limit = max(beat.interval, beat.EVERY) * beat.MISSED
    assert beat.state(now + dt.timedelta(seconds=limit - 1)) == "waiting"
    assert beat.state(now + dt.timedelta(seconds=limit + 1)) == "gone"
    slow = WorkerBeat(interval=600.0, seen=now, started=now)
    assert slow.state(now + dt.timedelta(seconds=limit + 1)) == "waiting"
    beat.busy_since = now
    assert beat.state(now + dt.timedelta(hours=2)) == "busy"
    assert all(beat.covers(pk) for pk in range(5))
    beat.shard = "1/3"
    shard = Shard.parse("1/3")
    assert [beat.covers(pk) for pk in range(7)] == [shard.has(pk) for pk in range(7)]
    assert [pk for pk in range(7) if beat.covers(pk)] == [1, 4]


def test_the_site_page_says_what_the_worker_does(
    client: Any, users: dict[str, Any], org: Organisation, run: CandidateRun
) -> None:
    client.force_login(users["forensic_examiner"])
    url = reverse("identification:site_candidates", args=[run.site_id])
    make_person(org, family_name="Новенький", given_names="Петро")
    page = client.get(url).content.decode()
    assert "No identification worker runs for this site" in page
    # A worker of the other shard does not take this site.
    other = 1 - run.site_id % 2
    beat = _beat(org, shard=f"{other}/2")
    page = client.get(url).content.decode()
    assert "No identification worker runs for this site" in page
    beat.shard = f"{run.site_id % 2}/2"
    beat.save()
    assert "takes them at its next look" in client.get(url).content.decode()
    services.worker_seen(beat, task=WorkerTask.UPDATE, changes=1)
    assert "is computing since" in client.get(url).content.decode()
    WorkerBeat.objects.update(
        busy_since=None, seen=timezone.now() - dt.timedelta(hours=1)
    )
    page = client.get(url).content.decode()
    assert "was last seen" in page and "whether it still runs" in page
    body_url = reverse(
        "identification:body_candidates", args=[run.analyses.get().body_id]
    )
    assert "was last seen" in client.get(body_url).content.decode()
    services.worker_stopped(beat)
    page = client.get(url).content.decode()
    assert "The identification worker of this site stopped" in page
    assert "start it again" in page and "was last seen" not in page


def test_the_index_lists_the_organisations_workers(
    client: Any, users: dict[str, Any], org: Organisation
) -> None:
    client.force_login(users["forensic_examiner"])
    url = reverse("identification:index")
    assert "No identification worker has run" in client.get(url).content.decode()
    beat = _beat(org, shard="0/2", host="worker-host", pid=4242)
    services.worker_seen(beat, task=WorkerTask.UPDATE, changes=7)
    services.worker_error(beat, "database is locked")
    _beat(org, shard="1/2", seen=timezone.now() - dt.timedelta(hours=1))
    services.worker_stopped(_beat(org, shard="2/3", pid=77))
    other = Organisation.objects.create(name="Other", code="other")
    _beat(other, host="not-ours")
    page = client.get(url).content.decode()
    assert "worker-host · 4242" in page and "database is locked" in page
    assert "not seen since" in page and "h · 77" in page and "stopped " in page
    assert "not-ours" not in page


def test_the_workers_command(org: Organisation, run: CandidateRun) -> None:
    def workers(*extra: str) -> str:
        out = StringIO()
        call_command(
            "identification", "workers", "--organisation", org.code, *extra, stdout=out
        )
        return out.getvalue()

    site = run.site
    assert workers().splitlines() == [
        f"No worker has run for organisation {org.code}.",
        f"1 sites with bodies and no worker seen lately: {site.code}",
    ]
    with pytest.raises(CommandError, match="1 sites with bodies"):
        workers("--check")
    # A site without bodies needs no worker.
    SiteFactory(organisation=org, code="empty")
    beat = _beat(org, shard=f"{site.pk % 2}/2", host="w", pid=5)
    services.worker_seen(beat, task=WorkerTask.UPDATE, changes=3)
    assert (
        workers("--check")
        .splitlines()[0]
        .startswith(f"{site.pk % 2}/2\tw:5\tbusy update 3 changes\tsince ")
    )
    data = json.loads(workers("--json"))
    assert data["organisation"] == org.code
    assert data["sites_without_worker"] == []
    (w,) = data["workers"]
    assert (w["shard"], w["state"], w["task"], w["changes"]) == (
        f"{site.pk % 2}/2",
        "busy",
        "update",
        3,
    )
    assert set(w) == {
        "shard",
        "host",
        "pid",
        "state",
        "started",
        "seen",
        "busy_since",
        "task",
        "changes",
        "error",
        "error_at",
        "stopped",
    }
    WorkerBeat.objects.update(
        busy_since=None, seen=timezone.now() - dt.timedelta(hours=1)
    )
    assert selectors.sites_without_worker(org.pk, timezone.now()) == [site]
    with pytest.raises(CommandError):
        workers("--check")
    # A shard's check: only its own sites.
    mine, other = f"{site.pk % 2}/2", f"{1 - site.pk % 2}/2"
    with pytest.raises(CommandError):
        workers("--check", "--shard", mine)
    assert "no worker seen lately" not in workers("--check", "--shard", other)
    with pytest.raises(CommandError, match="expected INDEX/COUNT"):
        workers("--check", "--shard", "two")


def test_each_computation_says_its_task_before_it_starts(
    org: Organisation, run: CandidateRun
) -> None:
    """``busy``: once, before anything is computed, with the task and the
    pending changes; not at all when there is nothing to compute."""
    calls: list[tuple[WorkerTask, int, int]] = []

    def busy(task: WorkerTask, changes: int) -> None:
        # (with the number of runs stored so far: none of this computation's)
        calls.append((task, changes, CandidateRun.objects.count()))

    caches: dict[int, Any] = {}
    register = services.Register()
    state: dict[str, Any] = {
        "actor": None,
        "organisation": org,
        "caches": caches,
        "register": register,
        "busy": busy,
    }
    runs = CandidateRun.objects.count()
    services.identification_warm(**state)
    assert calls == [(WorkerTask.WARM, 0, runs)]
    services.identification_warm(**state)  # (nothing cold: no call)
    services.identification_update(**state)  # (nothing pending: no call)
    services.identification_refresh(**state)  # (nothing deferred: no call)
    assert len(calls) == 1
    make_person(org, family_name="Новенький", given_names="Петро")
    services.identification_update(**state)
    assert calls[1] == (WorkerTask.UPDATE, 1, runs + 1)
    (cache,) = caches.values()
    cache.deferred = {next(iter(cache.last)): 1e-5}  # (as an update that deferred)
    services.identification_refresh(**state)
    assert calls[2][:2] == (WorkerTask.REFRESH, 0)
    assert len(calls) == 3

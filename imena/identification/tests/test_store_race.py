"""Two runs of one site stored at the same moment (#13, held analyses).

A run holds the analyses of its site's last run only when that run is
still the latest (``BodyAnalysis.until``). A worker's update that waits for
the site's lock while another process stores a full computation must see
that computation as the latest once it has the lock, and copy what it keeps
instead of holding the other run's rows. PostgreSQL only: SQLite takes the
database's write lock before the transaction reads anything.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.exhumations.models import Body
from imena.identification import services
from imena.identification.models import BodyAnalysis, CandidateRun
from imena.identification.tests.test_updates import (
    _measured,
    _site_update,
    _worker_state,
)
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.simulation.core import simulate

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(run: CandidateRun) -> dict[int, tuple[Any, ...]]:
    out = {}
    for a in BodyAnalysis.objects.of_run(run).prefetch_related("candidates"):
        assert a.body_id not in out
        out[a.body_id] = (
            round(a.posterior_unlisted, 9),
            a.exclusions,
            sorted((c.person_id, round(c.posterior, 9)) for c in a.candidates.all()),
        )
    return out


def test_an_update_waiting_for_the_sites_lock_copies_after_another_run(
    org: Organisation,
    users: dict[str, Any],
    tmp_path: Path,
    monkeypatch: Any,
    settings: Any,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks and statement snapshots")
    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    simulate(3, tmp_path / "sim", graves=40)
    context = ScenarioContext(directory=tmp_path / "sim", organisation=org, actor=None)
    load_scenario(context)
    site: Site = next(iter(context.sites.values()))
    caches, register = _worker_state(site, org)
    body = Body.objects.filter(grave__site=site).order_by("pk")[3]
    _measured(users, body, 150, 156, "measured again")
    locked, go = threading.Event(), threading.Event()
    store = services._store
    runs: dict[str, Any] = {}

    def storing(*args: Any, **kwargs: Any) -> int:
        if threading.current_thread().name == "full":
            locked.set()  # the site's row is locked, the run created
            go.wait(60)
        return store(*args, **kwargs)

    monkeypatch.setattr(services, "_store", storing)

    def full() -> None:
        try:
            runs["full"] = services.candidates_compute(actor=None, site=site)[0]
        finally:
            connection.close()

    def worker() -> None:
        try:
            runs["worker"] = _site_update(org, site, caches, register)
        finally:
            connection.close()

    threads = [threading.Thread(target=full, name="full")]
    threads[0].start()
    assert locked.wait(120)
    threads.append(threading.Thread(target=worker, name="worker"))
    threads[1].start()
    # The worker's transaction waits for the site's row.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    else:
        pytest.fail("the worker's update never waited for the site's lock")
    go.set()
    for t in threads:
        t.join(120)
    later, first = runs["worker"], runs["full"]
    assert first.pk < later.pk
    # The worker's run holds nothing of the full computation's: it copied.
    assert {a.run_id for a in BodyAnalysis.objects.of_run(later)} == {later.pk}
    assert len(_rows(first)) == len(_rows(later))
    monkeypatch.setattr(services, "_store", store)
    again, _ = services.candidates_compute(actor=None, site=site)
    assert _rows(later) == _rows(again)

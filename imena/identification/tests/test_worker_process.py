"""The worker as a process of its own: ``serve.start_worker`` (what ``imena
demo`` runs beside its web server) takes the pending changes into account,
writes to the same audit chain, and ends with the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imena.audit.services import audit_verify
from imena.burials.models import Site
from imena.core.testing import database_env
from imena.identification.models import CandidateRun, PendingUpdate

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The parent: starts the worker, prints its process id, and lives until the
# test closes its input.
PARENT = """
import sys
import django
django.setup()
from imena.core import serve
worker = serve.start_worker(sys.argv[1], interval=0.5)
print(worker.pid, flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    """The process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_the_started_worker_takes_the_changes_and_ends_with_its_parent(
    org, sites: list[Site]
) -> None:
    waiting = PendingUpdate.objects.filter(organisation=org, done__isnull=True)
    assert waiting.exists()  # (the scenario was loaded without a computation)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, org.code],
        env={**os.environ, **database_env()},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdin is not None and parent.stdout is not None
    pid = int(parent.stdout.readline())
    try:
        _wait(
            lambda: not waiting.exists() or not _alive(pid),
            240,
            "the worker did not take the pending changes in time",
        )
        assert _alive(pid), "the worker ended on its own"
    finally:
        parent.stdin.close()
        parent.wait(timeout=60)
    assert all(CandidateRun.objects.filter(site=s).exists() for s in sites)
    # Its audit entries (one per run) are in the chain the server verifies.
    result = audit_verify()
    assert result.ok, result
    # Its parent gone, the worker is told to end (``PR_SET_PDEATHSIG``).
    try:
        _wait(lambda: not _alive(pid), 60, "the worker outlived its parent")
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)

"""An idle worker builds the state of the sites it holds none of
(``services.identification_warm``): after a start, the first new report
does not wait for every site to be computed in full."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.identification.management.commands import identification as command
from imena.identification.shards import Shard
from imena.identification.tests.test_updates import _loop
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _looks(
    org: Organisation,
    rounds: int,
    *extra: str,
    monkeypatch: pytest.MonkeyPatch,
    between: dict[int, Callable[[], None]] | None = None,
) -> list[dict]:
    """The worker's JSON lines over ``rounds`` looks; ``between[k]`` is
    called in the wait after look ``k``."""
    waits = [0]

    def sleep(_seconds: float) -> None:
        waits[0] += 1
        if between and waits[0] in between:
            between[waits[0]]()

    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=sleep))
    out = StringIO()
    _loop(org, rounds, "--json", *extra, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _computed(org: Organisation) -> None:
    """Every site computed once, as after a load, by a command with no state."""
    call_command(
        "identification", "update", "--organisation", org.code, stdout=StringIO()
    )


def _new_report(org: Organisation, full_runs: list[int], seen: list[int]) -> Any:
    """A new report when called, the engine's full computations before it
    appended to ``seen``."""

    def report() -> None:
        seen.append(full_runs[0])
        make_person(org, family_name="Новенький", given_names="Петро")

    return report


def test_an_idle_worker_builds_its_state_one_site_a_look(
    org: Organisation,
    sites: list[Site],
    full_runs: list[int],
    coarse_register_grid: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (one more report leaves the register's size on its grid point: a site
    # with a state extends its last run, ``engine._appended_run``)
    coarse_register_grid()
    _computed(org)
    before_report: list[int] = []
    report = _new_report(org, full_runs, before_report)
    lines = _looks(org, 4, monkeypatch=monkeypatch, between={3: report})
    warm = [line for line in lines if line["warm"]]
    # One site a look, smallest ids first, each computed in full and stored.
    assert [[r["site"] for r in line["runs"]] for line in warm] == [
        [s.code for s in sites[:1]],
        [s.code for s in sites[1:2]],
        [s.code for s in sites[2:]],
    ]
    assert not any(r["incremental"] for line in warm for r in line["runs"])
    # The new report after them: no site computed in full again.
    (update,) = [line for line in lines if not line["warm"]]
    assert update["pending"] >= 1 and not update["refresh"]
    assert full_runs[0] == before_report[0]


def test_without_warming_the_first_report_computes_every_site(
    org: Organisation,
    sites: list[Site],
    full_runs: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _computed(org)
    before_report: list[int] = []
    report = _new_report(org, full_runs, before_report)
    lines = _looks(org, 2, "--no-warm", monkeypatch=monkeypatch, between={1: report})
    assert [line["warm"] for line in lines] == [False]
    assert full_runs[0] == before_report[0] + len(sites)


def test_a_sharded_worker_builds_the_state_of_its_own_sites(
    org: Organisation, sites: list[Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    _computed(org)
    lines = _looks(org, len(sites) + 1, "--shard", "1/2", monkeypatch=monkeypatch)
    assert all(line["warm"] for line in lines)
    assert [r["site"] for line in lines for r in line["runs"]] == [
        s.code for s in sites if Shard(1, 2).has(s.pk)
    ]

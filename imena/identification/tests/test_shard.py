"""Workers side by side (``--shard INDEX/COUNT``): each takes its own sites
and keeps their caches; together they store what one worker stores (#13
item 3: an update spread over the cores)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.identification import services
from imena.identification.engine import SiteCache
from imena.identification.models import PendingUpdate
from imena.identification.shards import Shard
from imena.identification.tests.test_updates import _assert_same, _loop
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _open(site: Site) -> int:
    return PendingUpdate.objects.filter(site=site, done__isnull=True).count()


def test_shard_parse_and_membership() -> None:
    assert Shard.parse("1/3") == Shard(1, 3)
    assert [pk for pk in range(1, 9) if Shard(1, 3).has(pk)] == [1, 4, 7]
    # Every site is one shard's, and one only.
    shards = [Shard(i, 3) for i in range(3)]
    assert all(sum(s.has(pk) for s in shards) == 1 for pk in range(1, 50))
    for bad, says in [
        ("2/2", "below the count"),
        ("-1/2", "at least 0"),
        ("1", "INDEX/COUNT"),
        ("a/2", "INDEX/COUNT"),
        ("1/0", "below the count"),
    ]:
        with pytest.raises(ValueError, match=says):
            Shard.parse(bad)


def test_two_sharded_workers_store_what_one_worker_stores(
    org: Organisation, sites: list[Site], settings: Any
) -> None:
    settings.IMENA_UPDATE_DEFER_BELOW = 0.0
    shards = [Shard(0, 2), Shard(1, 2)]
    workers: list[tuple[dict[int, SiteCache], services.Register]] = [
        ({}, services.Register()) for _ in shards
    ]
    # Each worker's first update: the sites of its shard only.
    first: dict[int, int] = {}
    for shard, (caches, register) in zip(shards, workers, strict=True):
        outcome = services.identification_update(
            actor=None,
            organisation=org,
            caches=caches,
            register=register,
            shard=shard,
        )
        assert {r.site_id for r in outcome.runs} == {
            s.pk for s in sites if shard.has(s.pk)
        }
        assert set(caches) == {s.pk for s in sites if shard.has(s.pk)}
        first.update({r.site_id: r.pk for r in outcome.runs})
        for s in sites:
            assert (_open(s) == 0) == (s.pk in first)
    assert set(first) == {s.pk for s in sites}
    # A new report: pending at every site until the worker of its shard runs.
    make_person(org, family_name="Новенький", given_names="Петро", sex="male")
    assert all(_open(s) for s in sites)
    caches0, register0 = workers[0]
    out0 = services.identification_update(
        actor=None,
        organisation=org,
        caches=caches0,
        register=register0,
        shard=shards[0],
    )
    for s in sites:
        assert (_open(s) == 0) == shards[0].has(s.pk), s.pk
    assert {r.site_id for r in out0.runs} | set(out0.untouched) <= {
        s.pk for s in sites if shards[0].has(s.pk)
    }
    caches1, register1 = workers[1]
    services.identification_update(
        actor=None,
        organisation=org,
        caches=caches1,
        register=register1,
        shard=shards[1],
    )
    assert not any(_open(s) for s in sites)
    # Each site's latest run equals a full computation (no cache).
    for s in sites:
        latest = s.candidate_runs.order_by("-created", "-pk").first()
        assert latest is not None
        full, _result = services.candidates_compute(actor=None, site=s)
        _assert_same(latest, full)


def test_a_sharded_refresh_takes_its_own_sites_only(
    org: Organisation, sites: list[Site]
) -> None:
    caches: dict[int, SiteCache] = {}
    register = services.Register()
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    for cache in caches.values():
        # (As an update that deferred a body of the site.)
        cache.deferred = {next(iter(cache.last)): 1e-5}
    shard = Shard(1, 2)
    out = services.identification_refresh(
        actor=None,
        organisation=org,
        caches=caches,
        register=register,
        sites=len(sites),
        shard=shard,
    )
    mine = [s.pk for s in sites if shard.has(s.pk)]
    assert sorted([r.site_id for r in out.runs] + out.deferred) == mine
    # The other shard's sites keep their deferred bodies.
    for pk, cache in caches.items():
        assert bool(cache.deferred) == (pk not in mine), pk


def test_the_command_takes_a_shard(org: Organisation, sites: list[Site]) -> None:
    with pytest.raises(CommandError, match="shard '2/2'"):
        call_command("identification", "update", "--shard", "2/2")
    out = StringIO()
    call_command(
        "identification",
        "update",
        "--organisation",
        org.code,
        "--shard",
        "0/2",
        "--json",
        stdout=out,
    )
    mine = {s.pk for s in sites if Shard(0, 2).has(s.pk)}
    for s in sites:
        assert (_open(s) == 0) == (s.pk in mine)
    assert "pending" in out.getvalue()
    # The other shard's worker: its first line (stderr) names what it does.
    err = StringIO()
    _loop(org, 1, "--shard", "1/2", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"identification worker: organisation {org.code}, shard 1/2, looking for "
        "pending changes every 0 s"
    ]
    assert all(_open(s) == 0 for s in sites)

"""A change committed while a computation runs stays pending (#13 item 3).

A run takes into account the ``PendingUpdate`` rows it read before its
inputs, and marks only those done. The shared inputs of several sites (the
open reports, ``compute_all.compact_inputs``; the worker's register) are read
before any site's run: a change committed after them must stay pending, and
so must a second change to a record whose first change a running computation
has already read.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from imena.accounts.models import Organisation
from imena.identification import compute_all, services
from imena.identification.engine import SiteCache
from imena.identification.models import CandidateRun, PendingKind, PendingUpdate
from imena.missing.models import MissingPerson
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _open(person: MissingPerson) -> bool:
    return PendingUpdate.objects.filter(
        kind=PendingKind.PERSON, object_id=person.pk, done__isnull=True
    ).exists()


def _all_done() -> None:
    PendingUpdate.objects.update(done=timezone.now())


def test_a_report_stored_after_the_shared_inputs_were_read_stays_pending(
    run: CandidateRun, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sites_compute`` (an update without the worker's state) reads the
    open reports once for all sites, then computes each site."""
    _all_done()
    first = make_person(org, family_name="Перший", given_names="Петро")
    late: list[MissingPerson] = []
    read = compute_all.compact_inputs

    def compact(organisation: Any, sites: Any) -> services.SharedInputs:
        shared = read(organisation, sites)
        late.append(make_person(org, family_name="Пізній", given_names="Павло"))
        return shared

    monkeypatch.setattr(compute_all, "compact_inputs", compact)
    outcome = services.identification_update(actor=None, organisation=org, workers=1)
    (new_run,) = outcome.runs
    assert not _open(first)
    # Not in the run's inputs: still pending.
    assert new_run.person_count == 2 + 1
    assert _open(late[0])
    assert new_run.params["pending_done"] == 1


def test_a_report_stored_after_the_worker_read_the_register_stays_pending(
    run: CandidateRun, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    caches: dict[int, SiteCache] = {}
    register = services.Register()
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    _all_done()
    first = make_person(org, family_name="Перший", given_names="Петро")
    late: list[MissingPerson] = []
    refresh = services.Register.refresh

    def refresh_then_store(self: services.Register, organisation: Any) -> Any:
        shared = refresh(self, organisation)
        late.append(make_person(org, family_name="Пізній", given_names="Павло"))
        return shared

    monkeypatch.setattr(services.Register, "refresh", refresh_then_store)
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert not _open(first)
    assert _open(late[0])
    monkeypatch.setattr(services.Register, "refresh", refresh)
    # The next update takes it into account.
    outcome = services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert not _open(late[0])
    assert {r.person_count for r in outcome.runs} == {4}


@pytest.mark.django_db(transaction=True)
def test_a_second_change_while_the_first_is_being_computed_stays_pending(
    run: CandidateRun, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second change of a report whose first change is pending and has
    just been read by a running update (another transaction) records its own
    row: reusing the first one, which the update marks done, lost it."""
    caches: dict[int, SiteCache] = {}
    register = services.Register()
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    person = MissingPerson.objects.filter(organisation=org).order_by("pk").first()
    assert person is not None
    person.stature_cm = 170
    person.save()  # committed: its row is pending
    assert _open(person)
    refresh = services.Register.refresh

    def refresh_then_change(self: services.Register, organisation: Any) -> Any:
        shared = refresh(self, organisation)
        person.stature_cm = 190
        person.save()  # committed while the update runs
        return shared

    monkeypatch.setattr(services.Register, "refresh", refresh_then_change)
    services.identification_update(
        actor=None, organisation=org, caches=caches, register=register
    )
    assert _open(person)
    # In one transaction a record's changes share one row.
    rows = PendingUpdate.objects.count()
    from django.db import transaction

    with transaction.atomic():
        person.save()
        person.save()
    assert PendingUpdate.objects.count() == rows + 1

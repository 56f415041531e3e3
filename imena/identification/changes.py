"""What the stored candidates do not reflect yet: ``PendingUpdate`` rows.

Every change to an input of the identification (a missing-person report, its
family and reference profiles, a body, its post-mortem record and rows, its
samples and DNA profile, a reviewer's exclusion override, a grave) writes a
``PendingUpdate`` row per site it touches, in the same transaction as the
change, so that a committed change is never silently missing from the
candidates: either a later computation took it into account (``done``) or the
pages say that updates are pending.

- Saves and deletions of single records are caught by ``post_save`` and
  ``post_delete`` receivers (``connect``, from the app's ``ready``).
- The bulk paths (``bulk_create`` sends no signal) call the hook
  ``records_changed`` (``imena.core.hooks.app_hooks("changes",
  "records_changed")``), which lower apps may call without importing this app.

A report touches every site of its organisation (each body's prior is shared
among all open reports); a body, its site. ``services.identification_update``
recomputes the sites with pending rows and marks them done.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from imena.burials.models import Grave, Site
from imena.dna.models import DNAProfile, LineageTable, ProfileKind
from imena.exhumations.models import (
    Body,
    BodyItem,
    Injury,
    Particular,
    PostMortemRecord,
    Sample,
    ToothFinding,
)
from imena.identification.models import ExclusionOverride, PendingKind, PendingUpdate
from imena.journals.models import ReconcileRun
from imena.missing.models import MissingPerson, PedigreeMember, ReferenceSample

#: More records than this in one bulk change: one row for the whole register
#: per site instead of one per record.
MANY = 50


def _sites_of(organisation_id: int) -> list[int]:
    return list(
        Site.objects.filter(organisation_id=organisation_id).values_list(
            "pk", flat=True
        )
    )


class _Token:
    """Marks one transaction's ``on_commit`` list (``_written_here``)."""

    def __call__(self) -> None:
        pass


_Key = tuple[int, str, int | None, int | None]


def _written_here() -> dict[_Key, int] | None:
    """The rows ``mark`` wrote in the current transaction, by (organisation,
    kind, object, site); None outside a transaction (autocommit: each row
    is its own).

    A token callback registered with ``on_commit`` tells the transaction
    apart: Django empties that list when the transaction commits or rolls
    back, and drops the callbacks of a savepoint rolled back.
    """
    conn = connection
    if not conn.in_atomic_block:
        return None
    state = getattr(conn, "_imena_pending_rows", None)
    if state is not None and any(entry[1] is state[0] for entry in conn.run_on_commit):
        return state[1]
    token, written = _Token(), dict[_Key, int]()
    transaction.on_commit(token)
    conn._imena_pending_rows = (token, written)  # type: ignore[attr-defined]
    return written


def reading() -> None:
    """A reader of the changes in this transaction (``snapshot``, a run
    reading its pending rows): a change made after it gets a row of its own,
    not the one it may have read."""
    state = getattr(connection, "_imena_pending_rows", None)
    if state is not None:
        state[1].clear()


def mark(
    *,
    organisation_id: int,
    kind: str,
    object_id: int | None,
    reason: str,
    site_ids: Iterable[int] | None = None,
) -> int:
    """Record that ``kind``/``object_id`` changed, once per site; return the
    rows written. ``site_ids``: default, every site of the organisation.

    A row is written for every change, except when the same transaction
    already wrote one for the same record and site that is still pending and
    that no reader of the changes has seen since (``reading``): a report
    saved with its family and references, one row. A row written
    by an earlier transaction is never reused: a computation that read it
    before this change marks it done (it read it, not this change), and the
    readers of the changes since a point (``since``: the worker's register,
    the screening tables) would miss this change.
    """
    sites = list(site_ids) if site_ids is not None else _sites_of(organisation_id)
    if not sites:
        return 0
    written = _written_here()
    have: set[int] = set()
    if written:
        mine = {
            written[key]: key[3]
            for s in sites
            if (key := (organisation_id, kind, object_id, s)) in written
        }
        if mine:
            have = {
                mine[pk]
                for pk in PendingUpdate.objects.filter(
                    pk__in=list(mine), done__isnull=True
                ).values_list("pk", flat=True)
            }
    rows = [
        PendingUpdate(
            organisation_id=organisation_id,
            site_id=s,
            kind=kind,
            object_id=object_id,
            reason=reason[:200],
        )
        for s in sites
        if s not in have
    ]
    PendingUpdate.objects.bulk_create(rows)
    if written is not None:
        for row in rows:
            if row.pk is not None:
                written[(organisation_id, kind, object_id, row.site_id)] = row.pk
            else:  # a database that returns no ids: one row per change
                written.clear()
    return len(rows)


def persons_changed(
    organisation_id: int, person_ids: Iterable[int], reason: str
) -> None:
    ids = sorted(set(person_ids))
    if len(ids) > MANY:
        mark(
            organisation_id=organisation_id,
            kind=PendingKind.ORGANISATION,
            object_id=None,
            reason=reason,
        )
        return
    sites = _sites_of(organisation_id)
    for pk in ids:
        mark(
            organisation_id=organisation_id,
            kind=PendingKind.PERSON,
            object_id=pk,
            reason=reason,
            site_ids=sites,
        )


def bodies_changed(body_ids: Iterable[int], reason: str) -> None:
    ids = sorted(set(body_ids))
    rows = list(
        Body.objects.filter(pk__in=ids).values_list(
            "pk", "organisation_id", "grave__site_id"
        )
    )
    by_site: dict[tuple[int, int], list[int]] = {}
    for pk, org, site in rows:
        by_site.setdefault((org, site), []).append(pk)
    for (org, site), pks in by_site.items():
        if len(pks) > MANY:
            mark(
                organisation_id=org,
                kind=PendingKind.SITE,
                object_id=site,
                reason=reason,
                site_ids=[site],
            )
            continue
        for pk in pks:
            mark(
                organisation_id=org,
                kind=PendingKind.BODY,
                object_id=pk,
                reason=reason,
                site_ids=[site],
            )


def profiles_changed(profile_ids: Iterable[int], reason: str) -> None:
    """DNA profiles stored, attached or withdrawn: their bodies and persons."""
    ids = list(profile_ids)
    bodies = Sample.objects.filter(profile_id__in=ids).values_list("body_id", flat=True)
    if bodies:
        bodies_changed(bodies, reason)
    persons: dict[int, list[int]] = {}
    for org, pk in ReferenceSample.objects.filter(profile_id__in=ids).values_list(
        "member__person__organisation_id", "member__person_id"
    ):
        persons.setdefault(org, []).append(pk)
    for org, pks in persons.items():
        persons_changed(org, pks, reason)


def records_changed(
    *,
    organisation_id: int,
    persons: Iterable[int] = (),
    bodies: Iterable[int] = (),
    profiles: Iterable[int] = (),
    everything: bool = False,
    reason: str = "",
) -> None:
    """The hook of the bulk paths: these records were stored or changed."""
    if everything:
        mark(
            organisation_id=organisation_id,
            kind=PendingKind.ORGANISATION,
            object_id=None,
            reason=reason,
        )
        return
    persons = list(persons)
    if persons:
        persons_changed(organisation_id, persons, reason)
    bodies = list(bodies)
    if bodies:
        bodies_changed(bodies, reason)
    profiles = list(profiles)
    if profiles:
        profiles_changed(profiles, reason)


# --- Reading the changes since a point -------------------------------------------

#: How far below the last change recorded the changes not yet committed are
#: looked for (``snapshot``).
WINDOW = 10_000


def snapshot() -> tuple[int, list[int]]:
    """A point in the changes: the last id recorded, and the ids below it not
    visible yet (a change in a transaction that has not committed: PostgreSQL
    hands out ids before commit; or rolled back). Take it before reading the
    data it describes; ``since`` then gives every change the data may lack."""
    reading()
    last = PendingUpdate.objects.order_by("-pk").values_list("pk", flat=True).first()
    last = last or 0
    low = max(1, last - WINDOW + 1)
    seen = set(
        PendingUpdate.objects.filter(pk__gte=low, pk__lte=last).values_list(
            "pk", flat=True
        )
    )
    return last, [i for i in range(low, last + 1) if i not in seen]


def since(organisation_id: int, last: int, unseen: Iterable[int]) -> Any:
    """The organisation's changes recorded after ``snapshot()`` gave ``last``
    and ``unseen`` (done or not)."""
    return PendingUpdate.objects.filter(
        Q(pk__gt=last) | Q(pk__in=list(unseen)), organisation_id=organisation_id
    )


def changed_persons(
    organisation_id: int, last: int, unseen: Iterable[int]
) -> set[int] | None:
    """The reports changed since the snapshot; None: the whole register."""
    rows = since(organisation_id, last, unseen)
    if rows.filter(kind=PendingKind.ORGANISATION).exists():
        return None
    return {
        pk
        for pk in rows.filter(kind=PendingKind.PERSON).values_list(
            "object_id", flat=True
        )
        if pk is not None
    }


# --- Receivers -------------------------------------------------------------------


def _skip(kwargs: dict[str, Any]) -> bool:
    return bool(kwargs.get("raw"))


def _person(sender: Any, instance: MissingPerson, **kwargs: Any) -> None:
    if not _skip(kwargs):
        persons_changed(
            instance.organisation_id, [instance.pk], f"report {instance.case_no}"
        )


def _member(sender: Any, instance: PedigreeMember, **kwargs: Any) -> None:
    if _skip(kwargs):
        return
    org = (
        MissingPerson.objects.filter(pk=instance.person_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if org is not None:
        persons_changed(org, [instance.person_id], "family of a report")


def _reference(sender: Any, instance: ReferenceSample, **kwargs: Any) -> None:
    if _skip(kwargs):
        return
    row = (
        PedigreeMember.objects.filter(pk=instance.member_id)
        .values_list("person__organisation_id", "person_id")
        .first()
    )
    if row is not None:
        persons_changed(row[0], [row[1]], "reference sample")


def _profile(sender: Any, instance: DNAProfile, **kwargs: Any) -> None:
    if _skip(kwargs) or instance.pk is None:
        return
    kind = (
        "post-mortem DNA profile"
        if instance.kind != ProfileKind.REFERENCE
        else "reference DNA profile"
    )
    profiles_changed([instance.pk], kind)


def _body_row(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not _skip(kwargs) and instance.body_id is not None:
        bodies_changed([instance.body_id], sender._meta.label)


def _body(sender: Any, instance: Body, **kwargs: Any) -> None:
    if not _skip(kwargs):
        bodies_changed([instance.pk], "body")


def _grave(sender: Any, instance: Grave | ReconcileRun, **kwargs: Any) -> None:
    """A grave (the site's number of graves) or a journal reconciliation (the
    site's journal leads and reliability)."""
    if _skip(kwargs):
        return
    org = (
        Site.objects.filter(pk=instance.site_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if org is not None:
        mark(
            organisation_id=org,
            kind=PendingKind.SITE,
            object_id=instance.site_id,
            reason=sender._meta.label,
            site_ids=[instance.site_id],
        )


def _lineage(sender: Any, instance: LineageTable, **kwargs: Any) -> None:
    if not _skip(kwargs):
        mark(
            organisation_id=instance.organisation_id,
            kind=PendingKind.ORGANISATION,
            object_id=None,
            reason="lineage table",
        )


RECEIVERS: tuple[tuple[Any, Any], ...] = (
    (MissingPerson, _person),
    (PedigreeMember, _member),
    (ReferenceSample, _reference),
    (DNAProfile, _profile),
    (Body, _body),
    (PostMortemRecord, _body_row),
    (Particular, _body_row),
    (ToothFinding, _body_row),
    (BodyItem, _body_row),
    (Injury, _body_row),
    (Sample, _body_row),
    (ExclusionOverride, _body_row),
    (Grave, _grave),
    (ReconcileRun, _grave),
    (LineageTable, _lineage),
)


def connect() -> None:
    for model, receiver in RECEIVERS:
        uid = f"identification-changes-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid)

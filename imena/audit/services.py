"""Appending to and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from imena.audit.models import GENESIS_HASH, AuditEntry, AuditHead, canonical_json

if TYPE_CHECKING:
    from imena.accounts.models import User


def to_jsonable(value: Any) -> Any:
    """Turn a model field value into something canonical JSON can hold."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return str(value)


def snapshot(
    instance: models.Model, fields: Iterable[str] | None = None
) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-safe."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = to_jsonable(getattr(instance, field.attname))
    return data


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_name": "system"}
    return {"actor": actor, "actor_name": actor.get_username()}


@transaction.atomic
def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Call it inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)[:300]
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        created=timezone.now(),
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:300],
        before="" if before is None else canonical_json(to_jsonable(before)),
        after="" if after is None else canonical_json(to_jsonable(after)),
        prev_hash=head.hash,
        **_actor_fields(actor),
    )
    entry.hash = entry.compute_hash()
    entry.save()
    head.seq = entry.seq
    head.hash = entry.hash
    head.updated = entry.created
    head.save(update_fields=["seq", "hash", "updated"])
    return entry


@dataclass
class VerifyResult:
    ok: bool
    count: int
    head_hash: str
    bad_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order and recompute every hash."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return VerifyResult(
                False,
                count,
                prev_hash,
                expected_seq,
                f"entry #{expected_seq} is missing (next found is #{entry.seq})",
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False,
                count,
                prev_hash,
                entry.seq,
                f"entry #{entry.seq} does not follow entry #{entry.seq - 1} "
                "(previous hash differs: reordered, replaced or an earlier entry deleted)",
            )
        if entry.compute_hash() != entry.hash:
            return VerifyResult(
                False,
                count,
                prev_hash,
                entry.seq,
                f"entry #{entry.seq} was changed after it was written (hash mismatch)",
            )
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != count or head.hash != prev_hash):
        return VerifyResult(
            False,
            count,
            prev_hash,
            count + 1,
            f"the chain ends at entry #{count} but entries up to #{head.seq} "
            "were written (newest entries deleted)",
        )
    return VerifyResult(True, count, prev_hash)


def audit_head_hash() -> str:
    head = AuditHead.objects.filter(pk=1).first()
    return head.hash if head else GENESIS_HASH


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")

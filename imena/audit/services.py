"""Appending to and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone

from imena.audit import keys
from imena.audit.added_fields import fields_added_after
from imena.audit.anchors import (
    Anchor,
    AnchorError,
    anchor_dir,
    read_anchors,
    write_anchor,
)
from imena.audit.models import GENESIS_HASH, AuditEntry, AuditHead, canonical_json
from imena.audit.record_types import record_type

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


#: Fields that change without an audit entry by design (logins, password
#: hashes); ``--records`` does not compare them.
UNTRACKED_FIELDS: dict[str, frozenset[str]] = {
    "accounts.user": frozenset({"last_login", "password"}),
    "odk.apptoken": frozenset({"last_used"}),
}


def field_digests(
    values: Mapping[str, Any], key: bytes, model_label: str = ""
) -> dict[str, str]:
    """Keyed digests of each field value (no value can be guessed from the log)."""
    skip = UNTRACKED_FIELDS.get(model_label, frozenset())
    return {
        name: keys.sign(key, canonical_json(value))[:16]
        for name, value in values.items()
        if name not in skip
    }


def record_state(obj: models.Model) -> str:
    """The stored row of ``obj`` (read back inside the transaction, so
    ``F()`` updates and ``update()`` calls count) as canonical JSON of its
    field digests; empty if the row does not exist."""
    stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    if stored is None:
        return ""
    _kid, key = keys.current_key()
    return canonical_json(field_digests(snapshot(stored), key, record_type(obj)))


def seal(entry: AuditEntry) -> None:
    """Key an entry whose ``prev_hash`` and content are set: its scheme and
    HMAC-SHA-256 with the current audit key (see ``imena.audit.keys``)."""
    kid, key = keys.current_key()
    entry.scheme = keys.scheme_for(kid)
    entry.hash = entry.compute_hash(key)


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
        object_type = object_type or record_type(obj)
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
    if (
        obj is not None
        and obj.pk is not None
        and object_type == record_type(obj)
        and str(object_id) == str(obj.pk)
    ):
        entry.record_state = record_state(obj)
    seal(entry)
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
    anchors: int = 0
    newest_anchor: int | None = None


def audit_verify(
    anchors_dir: Path | None = None, *, require_anchors: bool = False
) -> VerifyResult:
    """Walk the chain in order and recompute every hash (HMAC with the audit
    key), then compare it with the anchors in ``anchors_dir`` (see
    ``imena.audit.anchors``). With ``require_anchors`` a folder without any
    anchor fails."""
    known = keys.known_keys()
    try:
        anchors = read_anchors(anchors_dir, known) if anchors_dir else []
    except AnchorError as e:
        return VerifyResult(False, 0, GENESIS_HASH, None, str(e))
    if require_anchors and not anchors:
        return VerifyResult(
            False, 0, GENESIS_HASH, None, f"no anchors found in {anchors_dir}"
        )
    anchored = {a.seq: a for a in anchors}
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    strong_seen = False
    last_scheme = ""
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
        key = None
        if entry.scheme != keys.LEGACY_SCHEME:
            kid = entry.scheme.removeprefix(keys.HMAC_PREFIX)
            key = known.get(kid)
            if not entry.scheme.startswith(keys.HMAC_PREFIX) or key is None:
                return VerifyResult(
                    False,
                    count,
                    prev_hash,
                    entry.seq,
                    f"entry #{entry.seq} is keyed with {entry.scheme!r}, "
                    "a key that is not configured (IMENA_AUDIT_KEY, "
                    "IMENA_AUDIT_PREVIOUS_KEYS)",
                )
        strong = keys.is_strong(entry.scheme)
        if strong_seen and not strong:
            return VerifyResult(
                False,
                count,
                prev_hash,
                entry.seq,
                f"entry #{entry.seq} is not keyed with a configured key but "
                "follows keyed entries (the chain was rewritten without the key)",
            )
        strong_seen = strong_seen or strong
        if entry.compute_hash(key) != entry.hash:
            return VerifyResult(
                False,
                count,
                prev_hash,
                entry.seq,
                f"entry #{entry.seq} was changed after it was written (hash mismatch)",
            )
        anchor = anchored.get(entry.seq)
        if anchor is not None and anchor.hash != entry.hash:
            return VerifyResult(
                False,
                count,
                prev_hash,
                entry.seq,
                f"entry #{entry.seq} differs from anchor {anchor.name} "
                "(the chain was rewritten after it was anchored)",
            )
        prev_hash = entry.hash
        last_scheme = entry.scheme
        expected_seq += 1
        count += 1
    newest = max(anchors, key=lambda a: a.seq, default=None)
    if newest is not None and newest.seq > count:
        return VerifyResult(
            False,
            count,
            prev_hash,
            count + 1,
            f"the database holds {count} entries but anchor {newest.name} "
            f"records #{newest.seq} (entries deleted or the tables truncated)",
        )
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
    if count and keys.key_configured() and not keys.is_strong(last_scheme):
        return VerifyResult(
            False,
            count,
            prev_hash,
            count,
            f"the newest entry #{count} is not keyed with IMENA_AUDIT_KEY, so the "
            "chain could have been rewritten without the key (after setting the "
            "key, run `imena audit anchor`, which appends a keyed entry)",
        )
    return VerifyResult(
        True,
        count,
        prev_hash,
        anchors=len(anchors),
        newest_anchor=newest.seq if newest else None,
    )


def audit_anchor(*, directory: Path | None = None) -> tuple[Path, Anchor]:
    """Append an ``audit.anchor`` entry, then write the anchor of that entry.

    The file is written after the commit, so an anchor never names an entry
    the database rolled back."""
    directory = directory or anchor_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with transaction.atomic():
        entry = audit_record(
            actor=None,
            action="audit.anchor",
            object_type="audit.head",
            after={"dir": str(directory)},
        )
    return write_anchor(directory, entry.seq, entry.hash)


def audit_head_hash() -> str:
    head = AuditHead.objects.filter(pk=1).first()
    return head.hash if head else GENESIS_HASH


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=record_type(obj), object_id=str(obj.pk)
    ).select_related("actor")


def record_sha256(instance: models.Model, fields: Iterable[str] | None = None) -> str:
    """SHA-256 of a stored record's field values (its ``snapshot``, canonical JSON)."""
    text = canonical_json(snapshot(instance, fields))
    return hashlib.sha256(text.encode()).hexdigest()


def added_at_default(instance: models.Model, written: dt.datetime) -> list[str]:
    """Attnames of the fields a migration applied after ``written`` added to the
    record's model and that still hold the default the migration gave them: an
    entry written at ``written`` could not describe them."""
    found = []
    for name in fields_added_after(type(instance), written):
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:  # removed again since
            continue
        if not isinstance(field, models.Field):
            continue
        if getattr(instance, field.attname) == field.get_default():
            found.append(field.attname)
    return found


def record_sha256_matches(
    instance: models.Model, digest: str, written: dt.datetime
) -> bool:
    """Whether a stored record still hashes to the ``digest`` an entry written at
    ``written`` recorded; fields added since by a migration count while they hold
    their default."""
    if record_sha256(instance) == digest:
        return True
    later = set(added_at_default(instance, written))
    if not later:
        return False
    names = [f.name for f in instance._meta.concrete_fields if f.attname not in later]
    return record_sha256(instance, names) == digest


#: ``after["records"]`` of a batch entry: ``{primary key: record_sha256}``.
BATCH_RECORDS = "records"


@transaction.atomic
def audit_batch(
    *,
    actor: User | None,
    action: str,
    records: Sequence[models.Model],
    source: str = "",
    extra: Mapping[str, Any] | None = None,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append ONE chain entry for a batch of records stored together (bulk load,
    bulk import): the model, the count, the source and the SHA-256 of every
    record (``record_sha256``, keyed by primary key). The chain covers each
    record like a per-record entry does, at one entry per batch;
    ``audit_batch_check`` compares the stored records with it later.
    Call it inside the transaction that stored the records, after they have
    their primary keys.
    """
    if not records:
        raise ValueError("an audit batch needs at least one record")
    model = type(records[0])
    if any(type(r) is not model or r.pk is None for r in records):
        raise ValueError("an audit batch holds saved records of one model")
    digests = {str(r.pk): record_sha256(r) for r in records}
    after: dict[str, Any] = {
        "model": model._meta.label_lower,
        "count": len(records),
        "source": source,
        BATCH_RECORDS: digests,
    }
    if extra:
        after.update({k: v for k, v in extra.items() if k not in after})
    return audit_record(
        actor=actor,
        action=action,
        object_type=model._meta.label_lower,
        object_repr=f"{len(records)} × {model._meta.verbose_name}"[:300],
        after=after,
        organisation_id=organisation_id,
    )


def audit_batch_check(entry: AuditEntry) -> list[str]:
    """Primary keys of the batch's records that are missing or differ from the
    SHA-256 the entry recorded (empty when every record is as stored)."""
    after = entry.after_data or {}
    digests: dict[str, str] = after.get(BATCH_RECORDS) or {}
    model = apps.get_model(after["model"])
    same: set[str] = set()
    keys = list(digests)
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        for record in model._default_manager.filter(pk__in=chunk):
            pk = str(record.pk)
            if record_sha256_matches(record, digests[pk], entry.created):
                same.add(pk)
    return [pk for pk in keys if pk not in same]

"""``imena audit verify --records``: the records as well as the log (#14 item 5).

Every entry written with a record (``audit_record(obj=...)``) keeps the
record's stored state as keyed digests of its fields (``record_state``); a
bulk entry (``audit_batch``) keeps one SHA-256 per record. This compares every
such record's current row with the newest entry that describes it, so an
UPDATE made directly in the database is reported with its table, row and
field.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from imena.audit import keys
from imena.audit.models import AuditEntry
from imena.audit.record_types import model_label, record_type
from imena.audit.services import (
    BATCH_RECORDS,
    added_at_default,
    field_digests,
    record_sha256_matches,
    snapshot,
)

CHUNK = 1000


@dataclass(frozen=True)
class RecordMismatch:
    table: str
    row: str
    field: str  # "" when the row is gone or only a whole-record hash is known
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"table {self.table}, row {self.row}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.problem} (audit entry #{self.seq})"


@dataclass
class RecordsResult:
    checked: int = 0
    mismatches: list[RecordMismatch] | None = None


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(model_label(label))
    except (LookupError, ValueError):
        return None


def _newest_entries() -> dict[str, dict[str, int]]:
    """{model label: {pk: seq of the newest entry describing it}}."""
    newest: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        AuditEntry.objects.exclude(record_state="")
        .order_by("seq")
        .values_list("seq", "object_type", "object_id")
        .iterator(chunk_size=5000)
    )
    for seq, label, pk in rows:
        newest[label][pk] = seq
    batches = (
        AuditEntry.objects.filter(after__contains=f'"{BATCH_RECORDS}":')
        .order_by("seq")
        .values_list("seq", "after")
        .iterator(chunk_size=100)
    )
    for seq, after in batches:
        data = json.loads(after) if after else {}
        model_label = data.get("model") if isinstance(data, dict) else None
        digests = data.get(BATCH_RECORDS) if isinstance(data, dict) else None
        if not isinstance(model_label, str) or not isinstance(digests, dict):
            continue
        per_model = newest[model_label]
        for pk in digests:
            if per_model.get(pk, 0) < seq:
                per_model[pk] = seq
    return newest


def _compare(
    model: type[models.Model], seqs: dict[str, int]
) -> Iterator[RecordMismatch]:
    label = record_type(model)
    table = model._meta.db_table
    known = keys.known_keys()
    batch_digests: dict[int, dict[str, str]] = {}  # parsed once per bulk entry
    pks = list(seqs)
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        entries = {
            e.seq: e
            for e in AuditEntry.objects.filter(seq__in={seqs[pk] for pk in chunk}).only(
                "seq", "created", "scheme", "record_state", "after", "object_id"
            )
        }
        rows = {str(r.pk): r for r in model._base_manager.filter(pk__in=chunk)}
        for pk in chunk:
            entry = entries[seqs[pk]]
            row = rows.get(pk)
            if row is None:
                yield RecordMismatch(table, pk, "", entry.seq, "the row is gone")
                continue
            if entry.record_state and entry.object_id == pk:
                key = known.get(entry.scheme.removeprefix(keys.HMAC_PREFIX))
                if key is None:
                    continue  # the chain check names an unknown key
                expected = json.loads(entry.record_state)
                current = field_digests(snapshot(row), key, label)
                if set(current) - set(expected):
                    for attname in added_at_default(row, entry.created):
                        if attname not in expected:
                            current.pop(attname, None)
                for name in sorted(set(expected) | set(current)):
                    if expected.get(name) != current.get(name):
                        yield RecordMismatch(
                            table, pk, name, entry.seq,
                            "differs from the state the audit log last recorded",
                        )  # fmt: skip
            else:
                if entry.seq not in batch_digests:
                    after = entry.after_data
                    found = (
                        after.get(BATCH_RECORDS) if isinstance(after, dict) else None
                    )
                    batch_digests[entry.seq] = found if isinstance(found, dict) else {}
                digest = batch_digests[entry.seq].get(pk)
                if digest is None or not record_sha256_matches(
                    row, digest, entry.created
                ):
                    yield RecordMismatch(
                        table, pk, "", entry.seq,
                        "differs from the SHA-256 its bulk entry recorded "
                        "(the entry holds one hash per record, not per field)",
                    )  # fmt: skip


def audit_verify_records() -> RecordsResult:
    """Compare every audited record with the newest entry that describes it."""
    result = RecordsResult(mismatches=[])
    assert result.mismatches is not None
    for label, seqs in sorted(_newest_entries().items()):
        model = _model(label)
        if model is None:
            continue
        result.checked += len(seqs)
        result.mismatches.extend(_compare(model, seqs))
    return result

"""One withdrawal rule (imena/lib/withdrawal.py), seen through a grave."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from imena.audit.models import AuditEntry
from imena.audit.records import audit_verify_records
from imena.audit.services import audit_batch, audit_batch_check, record_sha256
from imena.burials import services
from imena.burials.models import Grave
from imena.burials.tests.factories import SiteFactory


@pytest.fixture
def grave(org, examiner) -> Grave:
    return services.grave_create(
        actor=examiner,
        site=SiteFactory(organisation=org),  # type: ignore[arg-type]
        marker_text="1",
    )


@pytest.mark.django_db
def test_it_records_when_and_by_whom(grave, examiner) -> None:
    before = timezone.now()
    services.grave_withdraw(actor=examiner, grave=grave, reason="registered twice")
    grave.refresh_from_db()
    assert grave.withdrawn and grave.withdrawn_reason == "registered twice"
    assert grave.withdrawn_by == examiner
    assert grave.withdrawn_at is not None and grave.withdrawn_at >= before
    entry = AuditEntry.objects.get(action="grave.withdraw")
    assert entry.before_data == {"withdrawn": False}
    assert entry.after_data == {"withdrawn": True, "reason": "registered twice"}


@pytest.mark.django_db
def test_it_rejects_an_empty_reason_with_the_models_message(grave, examiner) -> None:
    with pytest.raises(ValidationError) as e:
        services.grave_withdraw(actor=examiner, grave=grave, reason="  ")
    assert e.value.message_dict == {"reason": ["Say why the grave is withdrawn."]}
    grave.refresh_from_db()
    assert not grave.withdrawn


@pytest.mark.django_db
def test_withdrawing_twice_writes_nothing_more(grave, examiner) -> None:
    services.grave_withdraw(actor=examiner, grave=grave, reason="first")
    services.grave_withdraw(actor=examiner, grave=grave, reason="second")
    grave.refresh_from_db()
    assert grave.withdrawn_reason == "first"
    assert AuditEntry.objects.filter(action="grave.withdraw").count() == 1


def _as_if_written_before_the_migrations(entry: AuditEntry, drop: set[str]) -> None:
    """The entry as one written before ``withdrawn_at``/``withdrawn_by`` existed."""
    state = {k: v for k, v in json.loads(entry.record_state).items() if k not in drop}
    AuditEntry.objects.filter(pk=entry.pk).update(
        created=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        record_state=json.dumps(state, sort_keys=True, separators=(",", ":")),
    )


@pytest.mark.django_db
def test_verify_records_accepts_fields_a_later_migration_added(grave) -> None:
    entry = AuditEntry.objects.get(action="grave.create")
    _as_if_written_before_the_migrations(entry, {"withdrawn_at", "withdrawn_by_id"})
    assert audit_verify_records().mismatches == []
    # Set behind the log, the new field is still reported.
    Grave.objects.filter(pk=grave.pk).update(withdrawn_at=timezone.now())
    (mismatch,) = audit_verify_records().mismatches or []
    assert mismatch.field == "withdrawn_at"


@pytest.mark.django_db
def test_a_bulk_entry_accepts_fields_a_later_migration_added(grave) -> None:
    entry = audit_batch(actor=None, action="grave.bulk", records=[grave])
    old_fields = [
        f.name
        for f in Grave._meta.concrete_fields
        if f.name not in {"withdrawn_at", "withdrawn_by"}
    ]
    after = {
        **entry.after_data,
        "records": {str(grave.pk): record_sha256(grave, old_fields)},
    }
    AuditEntry.objects.filter(pk=entry.pk).update(
        created=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), after=json.dumps(after)
    )
    entry.refresh_from_db()
    assert audit_batch_check(entry) == []
    Grave.objects.filter(pk=grave.pk).update(withdrawn_at=timezone.now())
    assert audit_batch_check(entry) == [str(grave.pk)]

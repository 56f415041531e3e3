"""One audit entry per batch of bulk-stored records, with each record's SHA-256."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from imena.accounts.models import Organisation
from imena.audit.models import AuditEntry
from imena.audit.services import (
    audit_batch,
    audit_batch_check,
    audit_verify,
    record_sha256,
)


@pytest.fixture
def batch(db, examiner):
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Team {i}", code=f"t{i}") for i in range(5)]
    )
    if orgs[0].pk is None:  # databases that return no keys from a bulk insert
        orgs = list(Organisation.objects.filter(code__startswith="t").order_by("code"))
    entry = audit_batch(
        actor=examiner, action="test.bulk", records=orgs, source="file.csv"
    )
    return entry, orgs


def test_one_entry_records_every_record_hash(batch) -> None:
    entry, orgs = batch
    after = entry.after_data
    assert after["count"] == 5 and after["source"] == "file.csv"
    assert after["model"] == "accounts.organisation"
    assert after["records"] == {str(o.pk): record_sha256(o) for o in orgs}
    assert AuditEntry.objects.filter(action="test.bulk").count() == 1


def test_the_chain_with_a_batch_verifies(batch, capsys) -> None:
    assert audit_verify().ok
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    assert audit_batch_check(batch[0]) == []


def test_a_record_changed_in_the_database_is_found(batch) -> None:
    entry, orgs = batch
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_organisation SET name = %s WHERE id = %s",
            ["Changed", orgs[2].pk],
        )
    assert audit_batch_check(entry) == [str(orgs[2].pk)]
    # The chain itself is intact: the batch entry still holds the first hash.
    assert audit_verify().ok


def test_a_batch_needs_saved_records_of_one_model(db, examiner) -> None:
    with pytest.raises(ValueError):
        audit_batch(actor=examiner, action="x", records=[])
    with pytest.raises(ValueError):
        audit_batch(actor=examiner, action="x", records=[Organisation(name="n")])

"""`imena audit verify --records`: an UPDATE outside Imena is reported (#14 item 5)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from imena.accounts.models import Organisation
from imena.audit.models import AuditEntry
from imena.audit.records import audit_verify_records
from imena.audit.services import audit_batch
from imena.burials.models import Grave
from imena.burials.services import grave_create, grave_update, site_create


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def grave(db, org, examiner):
    site = site_create(actor=examiner, organisation=org, code="s1", name="Site")
    return grave_create(actor=examiner, site=site, marker_text="№ 5")


def test_entries_carry_the_record_state(grave) -> None:
    entry = AuditEntry.objects.filter(object_type="burials.grave").last()
    assert entry is not None and '"marker_text":' in entry.record_state
    assert "№ 5" not in entry.record_state  # digests, not values


def test_untouched_records_verify(grave, capsys) -> None:
    call_command("audit", "verify", "--records")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("audit chain intact: ")
    assert lines[-1] == "records: 2 checked, 0 differ"


def test_a_direct_sql_update_is_reported_with_table_row_and_field(
    grave, capsys
) -> None:
    table = Grave._meta.db_table
    _sql(f"UPDATE {table} SET marker_text = %s WHERE id = %s", ["№ 6", grave.pk])
    with pytest.raises(CommandError, match="records: 2 checked, 1 differ"):
        call_command("audit", "verify", "--records")
    err = capsys.readouterr().err
    assert f"table {table}, row {grave.pk}, field marker_text: differs" in err


def test_a_change_through_the_service_is_not_reported(grave, examiner) -> None:
    grave_update(actor=examiner, grave=grave, reason="typo", marker_text="№ 7")
    assert audit_verify_records().mismatches == []


def test_a_deleted_row_is_reported(grave) -> None:
    _sql(f"DELETE FROM {Grave._meta.db_table} WHERE id = %s", [grave.pk])
    (mismatch,) = audit_verify_records().mismatches or []
    assert mismatch.row == str(grave.pk) and "gone" in mismatch.problem


def test_records_of_a_bulk_entry_are_checked(db, examiner) -> None:
    orgs = [Organisation.objects.create(name=f"T{i}", code=f"t{i}") for i in range(3)]
    audit_batch(actor=examiner, action="test.bulk", records=orgs)
    assert audit_verify_records().mismatches == []
    _sql(
        f"UPDATE {Organisation._meta.db_table} SET name = %s WHERE id = %s",
        ["Renamed", orgs[1].pk],
    )
    (mismatch,) = audit_verify_records().mismatches or []
    assert mismatch.table == Organisation._meta.db_table
    assert mismatch.row == str(orgs[1].pk) and "bulk entry" in mismatch.problem


def test_a_login_is_not_a_change(db, client, examiner) -> None:
    from imena.audit.services import audit_record

    audit_record(actor=examiner, action="test.user", obj=examiner)
    client.force_login(examiner)  # updates last_login
    assert audit_verify_records().mismatches == []

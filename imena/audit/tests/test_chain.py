from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from imena.audit.models import AuditEntry
from imena.audit.services import audit_record, audit_verify


@pytest.fixture
def chain(db, examiner):
    for i in range(5):
        audit_record(
            actor=examiner,
            action="test.write",
            object_type="t",
            object_id=i,
            before={"v": i},
            after={"v": i + 1, "name": "Олена"},
        )
    return AuditEntry.objects.order_by("seq")


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_chain_verifies(chain, capsys) -> None:
    result = audit_verify()
    assert result.ok and result.count == 5
    call_command("audit", "verify")
    assert "intact: 5 entries" in capsys.readouterr().out


def test_entries_link_to_the_previous_hash(chain) -> None:
    entries = list(chain)
    for prev, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == prev.hash


def test_an_edited_value_is_found(chain) -> None:
    target = chain[2]
    _sql(
        f"UPDATE {AuditEntry._meta.db_table} SET after = %s WHERE id = %s",
        ['{"v":99}', target.pk],
    )
    result = audit_verify()
    assert not result.ok and result.bad_seq == 3 and "changed" in result.reason
    with pytest.raises(CommandError, match="entry #3"):
        call_command("audit", "verify")


def test_an_edited_actor_name_is_found(chain) -> None:
    _sql(
        f"UPDATE {AuditEntry._meta.db_table} SET actor_name = %s WHERE seq = 1",
        ["someone"],
    )
    assert audit_verify().bad_seq == 1


def test_a_deleted_entry_is_found(chain) -> None:
    _sql(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [2])
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2 and "missing" in result.reason


def test_deleting_the_newest_entry_is_found(chain) -> None:
    _sql(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [5])
    result = audit_verify()
    assert not result.ok and "newest" in result.reason


def test_reordered_entries_are_found(chain) -> None:
    a, b = chain[1], chain[2]
    table = AuditEntry._meta.db_table
    _sql(f"UPDATE {table} SET seq = %s WHERE id = %s", [1000, a.pk])
    _sql(f"UPDATE {table} SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _sql(f"UPDATE {table} SET seq = %s WHERE id = %s", [b.seq, a.pk])
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2


def test_the_orm_refuses_to_change_an_entry(chain) -> None:
    entry = chain[0]
    entry.action = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()

"""The chain is keyed and anchored outside the database (#19 row 2)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from imena.audit import keys
from imena.audit.models import GENESIS_HASH, AuditEntry, AuditHead, canonical_json
from imena.audit.services import audit_anchor, audit_record, audit_verify

ENTRY = AuditEntry._meta.db_table
HEAD = AuditHead._meta.db_table


@pytest.fixture
def chain(db, examiner):
    for i in range(5):
        audit_record(
            actor=examiner, action="test.write", object_type="t", object_id=i,
            after={"v": i},
        )  # fmt: skip
    return AuditEntry.objects.order_by("seq")


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _rewrite_from(seq: int, *, scheme: str, key: bytes | None = None) -> None:
    """What an attacker with write access to the tables does: forge entry
    ``seq`` and recompute every later hash and the head."""
    entries = list(AuditEntry.objects.order_by("seq"))
    prev = entries[seq - 2].hash if seq > 1 else GENESIS_HASH
    for e in entries[seq - 1 :]:
        if e.seq == seq:
            e.after = canonical_json({"v": "forged"})
        e.prev_hash = prev
        e.scheme = scheme
        text = canonical_json(
            e.content() if key is None else {**e.content(), "scheme": scheme}
        )
        import hmac

        e.hash = (
            hashlib.sha256(text.encode()).hexdigest()
            if key is None
            else hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        )
        _sql(
            f"UPDATE {ENTRY} SET after = %s, prev_hash = %s, scheme = %s, hash = %s "
            "WHERE id = %s",
            [e.after, e.prev_hash, e.scheme, e.hash, e.pk],
        )
        prev = e.hash
    _sql(f"UPDATE {HEAD} SET hash = %s", [prev])


def test_entries_are_keyed_with_the_configured_key(chain) -> None:
    kid, key = keys.current_key()
    entry = chain[0]
    assert entry.scheme == f"hmac-sha256:{kid}"
    assert (
        entry.hash
        != hashlib.sha256(canonical_json(entry.content()).encode()).hexdigest()
    )
    assert entry.compute_hash(key) == entry.hash


def test_a_forged_entry_with_the_chain_recomputed_in_sha256_fails(chain) -> None:
    _rewrite_from(3, scheme="sha256")
    result = audit_verify()
    assert not result.ok and result.bad_seq == 3
    with pytest.raises(CommandError, match="entry #3"):
        call_command("audit", "verify")


def test_a_chain_recomputed_with_another_key_fails(chain) -> None:
    _rewrite_from(1, scheme=chain[0].scheme, key=b"guessed key")
    result = audit_verify()
    assert not result.ok and result.bad_seq == 1 and "hash mismatch" in result.reason


def test_a_whole_chain_rewritten_without_a_key_fails(chain) -> None:
    _rewrite_from(1, scheme="sha256")
    result = audit_verify()
    assert not result.ok and "not keyed with IMENA_AUDIT_KEY" in result.reason


def test_old_unkeyed_entries_still_verify_before_keyed_ones(db, examiner) -> None:
    head = AuditHead.objects.create(pk=1)
    for seq in (1, 2):
        e = AuditEntry(
            seq=seq, created=head.updated, action="old", prev_hash=head.hash,
            scheme="sha256",
        )  # fmt: skip
        e.hash = e.compute_hash()
        e.save()
        head.seq, head.hash = seq, e.hash
        head.save()
    result = audit_verify()
    assert not result.ok and "run `imena audit anchor`" in result.reason
    audit_record(actor=examiner, action="new", object_type="t", object_id=1)
    assert audit_verify().ok and audit_verify().count == 3


def test_unknown_key_id_is_named(chain) -> None:
    _sql(f"UPDATE {ENTRY} SET scheme = %s WHERE seq = 2", ["hmac-sha256:feedfeedfeed"])
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2 and "not configured" in result.reason


def test_anchor_writes_a_signed_read_only_file(chain, tmp_path, capsys) -> None:
    call_command("audit", "anchor", "--dir", str(tmp_path))
    out = capsys.readouterr().out
    assert out.startswith("anchored entry #6, head ")
    (path,) = tmp_path.glob("anchor-*.json")
    assert path.stat().st_mode & 0o777 == 0o440
    data = json.loads(path.read_text())
    assert data["seq"] == 6 and data["hash"] == AuditEntry.objects.get(seq=6).hash
    call_command("audit", "verify", "--anchors", str(tmp_path))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("audit chain intact: 6 entries, head ")
    assert lines[1] == "consistent with 1 anchors (newest #6)"


def test_verify_with_no_anchor_in_the_folder_fails(chain, tmp_path) -> None:
    with pytest.raises(CommandError, match="no anchors found"):
        call_command("audit", "verify", "--anchors", str(tmp_path))


def test_cutting_the_chain_short_and_rewinding_the_head_fails(chain, tmp_path) -> None:
    audit_anchor(directory=tmp_path)
    keep = AuditEntry.objects.get(seq=4)
    _sql(f"DELETE FROM {ENTRY} WHERE seq > 4")
    _sql(f"UPDATE {HEAD} SET seq = 4, hash = %s", [keep.hash])
    assert audit_verify().ok  # without anchors the cut is invisible
    with pytest.raises(CommandError, match=r"holds 4 entries but anchor .* records #6"):
        call_command("audit", "verify", "--anchors", str(tmp_path))


def test_deleting_both_tables_fails_when_anchors_exist(chain, tmp_path) -> None:
    audit_anchor(directory=tmp_path)
    _sql(f"DELETE FROM {ENTRY}")
    _sql(f"DELETE FROM {HEAD}")
    result = audit_verify(tmp_path)
    assert not result.ok and "holds 0 entries" in result.reason


def test_a_chain_different_from_an_anchor_fails(chain, tmp_path) -> None:
    # Even someone holding the key cannot rewrite what was anchored.
    audit_anchor(directory=tmp_path)
    _rewrite_from(2, scheme=chain[0].scheme, key=keys.current_key()[1])
    assert audit_verify().ok
    result = audit_verify(tmp_path)
    assert (
        not result.ok and result.bad_seq == 6 and "differs from anchor" in result.reason
    )


def test_the_database_ahead_of_an_anchor_is_fine(chain, examiner, tmp_path) -> None:
    audit_anchor(directory=tmp_path)
    audit_record(actor=examiner, action="later", object_type="t", object_id=9)
    result = audit_verify(tmp_path, require_anchors=True)
    assert result.ok and result.count == 7 and result.newest_anchor == 6


def test_an_altered_anchor_fails(chain, tmp_path) -> None:
    path, _ = audit_anchor(directory=tmp_path)
    data = json.loads(path.read_text())
    data["seq"] = 3
    path.chmod(0o640)
    path.write_text(json.dumps(data))
    result = audit_verify(tmp_path)
    assert not result.ok and "does not match its HMAC" in result.reason


def test_the_default_anchor_folder_is_checked(chain, tmp_path, settings) -> None:
    settings.IMENA_AUDIT_ANCHOR_DIR = tmp_path
    call_command("audit", "anchor")
    _sql(f"DELETE FROM {ENTRY}")
    _sql(f"DELETE FROM {HEAD}")
    with pytest.raises(CommandError, match="holds 0 entries"):
        call_command("audit", "verify")


def test_no_key_or_the_example_key_is_a_deploy_warning(settings) -> None:
    from imena.audit.checks import audit_key_check

    assert audit_key_check() == []
    for value in (None, "change-me-to-another-long-random-string"):
        settings.IMENA_AUDIT_KEY = value
        (warning,) = audit_key_check()
        assert warning.id == "imena.audit.W001"
        assert keys.current_key()[0] == keys.key_id(keys.DEVELOPMENT_KEY.encode())

"""#14 item 4: the backup and restore drill, on whichever database the run uses.

scripts/test.sh runs the suite on SQLite and again on PostgreSQL, so the drill
runs on both.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from imena.burials import services as burials
from imena.burials.tests.factories import SiteFactory
from imena.core import backup
from imena.evidence import services as evidence_services
from imena.evidence import storage
from imena.evidence.models import EvidenceItem
from imena.evidence.tests.factories import jpeg_with_exif, png
from imena.lib.hashing import file_sha256
from imena.odk import storage as odk_storage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evidence_root(settings, tmp_path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return Path(settings.EVIDENCE_ROOT)


@pytest.fixture
def identity(tmp_path, monkeypatch) -> Path:
    import pyrage

    key = pyrage.x25519.Identity.generate()
    path = tmp_path / "backup-key.txt"
    path.write_text(f"# offline key\n{key}\n")
    monkeypatch.setenv("IMENA_BACKUP_RECIPIENT", str(key.to_public()))
    monkeypatch.delenv("IMENA_BACKUP_PASSPHRASE", raising=False)
    return path


@pytest.fixture
def records(org, users, evidence_root) -> dict[str, str]:
    """Graves, evidence photos and an ODK blob; returns {path: sha256} of the store."""
    recorder = users["forensic_examiner"]
    site = SiteFactory(organisation=org)
    for n, content in enumerate([jpeg_with_exif(), png((9, 7))], 1):
        grave = burials.grave_create(actor=recorder, site=site, marker_text=f"№ {n}")  # type: ignore[arg-type]
        name = "a.jpg" if n == 1 else "b.png"
        staged = storage.stage([content], name=name)
        evidence_services.evidence_create(
            actor=recorder, grave=grave, kind="photo", staged=staged
        )
    odk_storage.promote(odk_storage.stage_bytes(b"<data id='x'/>"))
    return _store_hashes(evidence_root)


def _store_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): file_sha256(p)
        for p in backup.evidence_files(root)
    }


def _wipe(root: Path) -> None:
    """What a lost disk leaves: no database tables, no evidence store."""
    shutil.rmtree(root, ignore_errors=True)
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        connections.close_all()
        for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
            path.unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    assert backup.database_is_empty()


def _nothing_restored(root: Path) -> None:
    assert backup.database_is_empty()
    assert list(backup.evidence_files(root)) == []
    leftovers = [p.name for p in root.parent.iterdir() if ".imena-restore" in p.name]
    assert leftovers == []


def test_the_drill_backs_up_wipes_restores_and_verifies(
    records, evidence_root, identity, tmp_path, capsys
) -> None:
    before = backup.database_facts()
    items = list(EvidenceItem.objects.order_by("pk").values_list("number", "sha256"))
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    printed = capsys.readouterr().out
    assert f"{len(records)} evidence files" in printed
    assert "encryption x25519" in printed

    header = json.loads((out / "backup.json").read_text())
    assert header["encryption"] == "x25519"
    assert "files/000001.age" in header["parts"]
    # Nothing readable in clear: no evidence bytes, no names.
    for part in out.rglob("*.age"):
        assert b"JFIF" not in part.read_bytes() and b"\x89PNG" not in part.read_bytes()

    _wipe(evidence_root)
    call_command("restore", str(out), "--identity", str(identity))
    printed = capsys.readouterr().out
    assert "audit chain intact" in printed
    assert "evidence store intact" in printed

    after = backup.database_facts()
    assert after["counts"] == before["counts"]
    assert after["audit_head"] == before["audit_head"]
    assert after["audit_head"]["seq"] > 0
    assert _store_hashes(evidence_root) == records
    restored = EvidenceItem.objects.order_by("pk").values_list("number", "sha256")
    assert list(restored) == items
    call_command("audit", "verify")


def test_a_damaged_backup_is_refused_and_nothing_is_restored(
    records, evidence_root, identity, tmp_path
) -> None:
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    good = tmp_path / "good"
    shutil.copytree(out, good)
    _wipe(evidence_root)

    part = out / "files" / "000002.age"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(CommandError, match=r"backup damaged: files/000002\.age"):
        call_command("restore", str(out), "--identity", str(identity))
    _nothing_restored(evidence_root)

    # Damage hidden from the outer check (its hash updated) is caught by age.
    header = json.loads((out / "backup.json").read_text())
    header["parts"]["files/000002.age"]["sha256"] = file_sha256(part)
    (out / "backup.json").write_text(json.dumps(header))
    with pytest.raises(CommandError, match="cannot be decrypted .* or is damaged"):
        call_command("restore", str(out), "--identity", str(identity))
    _nothing_restored(evidence_root)

    (out / "files" / "000001.age").unlink()
    with pytest.raises(CommandError, match="files/000001.age is missing"):
        call_command("restore", str(out), "--identity", str(identity))
    _nothing_restored(evidence_root)

    # The intact copy still restores (and leaves the database as the run needs it).
    call_command("restore", str(good), "--identity", str(identity))
    assert _store_hashes(evidence_root) == records


def test_restore_refuses_a_database_that_is_not_empty(
    records, evidence_root, identity, tmp_path
) -> None:
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    before = _store_hashes(evidence_root)
    with pytest.raises(CommandError, match="the database is not empty"):
        call_command("restore", str(out), "--identity", str(identity))
    assert _store_hashes(evidence_root) == before


def test_restore_refuses_an_evidence_store_that_is_not_empty(
    records, evidence_root, identity, tmp_path
) -> None:
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    shutil.rmtree(evidence_root)
    (evidence_root / "ab").mkdir(parents=True)
    (evidence_root / "ab" / "stray").write_bytes(b"x")
    _wipe_database_only()
    try:
        with pytest.raises(CommandError, match="evidence store .* is not empty"):
            call_command("restore", str(out), "--identity", str(identity))
        assert backup.database_is_empty()
    finally:
        shutil.rmtree(evidence_root)
        call_command("restore", str(out), "--identity", str(identity))


def _wipe_database_only() -> None:
    root = Path(settings.EVIDENCE_ROOT)
    keep = root.with_name("kept")
    root.rename(keep)
    _wipe(root)
    keep.rename(root)


def test_backup_refuses_to_write_in_clear_without_asking(
    records, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("IMENA_BACKUP_RECIPIENT", raising=False)
    monkeypatch.delenv("IMENA_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="no encryption key"):
        call_command("backup", "--out", str(tmp_path / "b"))
    assert not (tmp_path / "b").exists()
    call_command("backup", "--out", str(tmp_path / "b"), "--insecure-plaintext")
    header = json.loads((tmp_path / "b" / "backup.json").read_text())
    assert header["encryption"] == "none"


def test_a_passphrase_backup_needs_the_passphrase(
    records, evidence_root, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("IMENA_BACKUP_RECIPIENT", raising=False)
    monkeypatch.setenv("IMENA_BACKUP_PASSPHRASE", "a long shared passphrase")
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    assert (out / "key.age").exists()
    _wipe(evidence_root)
    monkeypatch.setenv("IMENA_BACKUP_PASSPHRASE", "not the right passphrase")
    with pytest.raises(CommandError, match="wrong passphrase"):
        call_command("restore", str(out))
    _nothing_restored(evidence_root)
    monkeypatch.setenv("IMENA_BACKUP_PASSPHRASE", "a long shared passphrase")
    call_command("restore", str(out))
    assert _store_hashes(evidence_root) == records

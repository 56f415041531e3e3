"""`imena evidence sweep-tmp`: copies left in tmp/ by rolled-back uploads."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.audit.models import AuditEntry
from imena.evidence import storage
from imena.evidence.tests.factories import png

pytestmark = pytest.mark.django_db
HOUR = 3600


@pytest.fixture(autouse=True)
def root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


def aged(path, hours: float):
    then = time.time() - hours * HOUR
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def sweep(*args: str) -> str:
    out = io.StringIO()
    call_command("evidence", "sweep-tmp", *args, stdout=out)
    return out.getvalue()


def test_it_removes_old_temporary_copies_and_nothing_else(root) -> None:
    stored = storage.commit(storage.stage([png()], name="kept.png"))
    aged(stored, 100)  # the store is never swept, however old
    old = aged(storage.stage([png((9, 9))], name="old.png").temp_path, 30)
    fresh = storage.stage([png((10, 10))], name="fresh.png").temp_path
    (root / "odk" / "tmp").mkdir(parents=True)
    odk_old = root / "odk" / "tmp" / "tmpabc"
    odk_old.write_bytes(b"<data/>")
    aged(odk_old, 48)
    (root / "tmp" / "folder").mkdir()
    aged(root / "tmp" / "folder", 48)  # only regular files are removed

    output = sweep()

    assert not old.exists() and not odk_old.exists()
    assert fresh.exists() and stored.exists() and (root / "tmp" / "folder").is_dir()
    lines = output.splitlines()
    assert lines[0].startswith("removed odk/tmp/tmpabc (7 bytes, 48")
    assert lines[1].startswith(f"removed tmp/{old.name} (")
    assert lines[2].startswith("swept 2 temporary files (") and lines[2].endswith(
        "older than 24 h"
    )
    entry = AuditEntry.objects.get(action="evidence.sweep_tmp")
    assert "odk/tmp/tmpabc" in entry.after and old.name in entry.after
    call_command("evidence", "verify")  # the store is intact


def test_older_than_is_in_hours_and_a_quiet_run_is_not_audited(root) -> None:
    staged = storage.stage([png()], name="a.png")
    aged(staged.temp_path, 30)
    assert sweep("--older-than", "48").splitlines() == [
        "swept 0 temporary files (0 bytes) older than 48 h"
    ]
    assert staged.temp_path.exists()
    assert not AuditEntry.objects.filter(action="evidence.sweep_tmp").exists()
    assert "swept 1 temporary files" in sweep("--older-than", "12")


def test_an_age_under_an_hour_is_refused(root) -> None:
    with pytest.raises(CommandError, match="at least 1 hour"):
        sweep("--older-than", "0.5")


def test_a_rolled_back_upload_leaves_a_copy_that_the_sweep_removes(
    root, org, users, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    from imena.burials.tests.factories import GraveFactory, SiteFactory
    from imena.evidence import services
    from imena.evidence.models import EvidenceItem

    staged = storage.stage([png()], name="pit.png")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.evidence_create(
            actor=users["field_recorder"],
            grave=GraveFactory(site=SiteFactory(organisation=org)),  # type: ignore[arg-type]
            kind="photo",
            staged=staged,
        )
        raise RuntimeError("the outer transaction rolls back")
    assert not EvidenceItem.objects.exists()
    assert list((root / "tmp").iterdir()) == [staged.temp_path]
    aged(staged.temp_path, 25)
    assert "swept 1 temporary files" in sweep()
    assert list((root / "tmp").iterdir()) == []
    assert not storage.path_for(staged.sha256).exists()

"""Uploaded journals waiting for a preview are private and do not linger (#19 row 12)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.urls import reverse

from linkage.tests.test_xlsx_bounds import _sheet, _workbook

pytestmark = pytest.mark.django_db


def _upload(client, site, path: Path) -> None:
    with path.open("rb") as f:
        response = client.post(
            reverse("journals:upload"),
            {"site": site.pk, "journal_name": "Funeral home", "file": f},
        )
    assert response.status_code == 302


def test_an_upload_is_0600_in_a_0700_folder_and_old_ones_are_removed(
    client, site, examiner, funeral_home_file, settings, tmp_path
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    client.force_login(examiner)
    _upload(client, site, funeral_home_file)
    folder = settings.DATA_DIR / "uploads"
    (first,) = list(folder.iterdir())
    assert first.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    # Never confirmed: two hours later the next upload removes it.
    old = time.time() - 7200
    os.utime(first, (old, old))
    _upload(client, site, funeral_home_file)
    remaining = list(folder.iterdir())
    assert first not in remaining and len(remaining) == 1


def test_a_hostile_xlsx_answers_with_a_message_and_is_removed(
    client, site, examiner, settings, tmp_path
) -> None:

    settings.DATA_DIR = tmp_path / "data"
    bomb = tmp_path / "wide.xlsx"
    bomb.write_bytes(_workbook(_sheet('<row r="2"><c r="XFD2"><v>1</v></c></row>')))
    client.force_login(examiner)
    with bomb.open("rb") as f:
        step1 = client.post(
            reverse("journals:upload"),
            {"site": site.pk, "journal_name": "Bomb", "file": f},
        )
    preview = client.get(step1["Location"], follow=True)
    assert preview.status_code == 200
    assert "limit of 512 columns" in preview.content.decode()
    assert list((settings.DATA_DIR / "uploads").iterdir()) == []

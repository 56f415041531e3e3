"""A family's photo is in the evidence store only if its report or addition is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from imena.evidence import storage
from imena.families import services
from imena.families.models import FamilyAddition, FamilyPhoto, PublicReport
from imena.families.photos import strip_and_stage
from imena.families.tests.conftest import gps_jpeg

pytestmark = pytest.mark.django_db

URL = "/family/report/"
#: A report the service accepts (synthetic names).
REPORT = {
    "family_name": "Тестенко",
    "given_names": "Вигадан",
    "reporter_name": "Тестенко Ганна",
    "reporter_relationship": "мати",
    "reporter_phone": "+380 00 000 0001",
}


def files_under(root: Path) -> list[Path]:
    """Every file left in the store, its temporary folder included."""
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def photo(name: str = "face.jpg", colour: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, gps_jpeg(colour), "image/jpeg")


def test_a_recorded_report_has_its_photos_in_the_store(
    client: Any, form_data: dict[str, Any], evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    form_data["photo_1"] = photo()
    form_data["photo_2"] = photo("back.jpg", "blue")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, form_data).status_code == 302
    stored = sorted(storage.path_for(p.sha256) for p in FamilyPhoto.objects.all())
    assert len(stored) == 2 and sorted(files_under(evidence_root)) == stored


def test_a_refused_report_leaves_no_photo(
    form_data: dict[str, Any], evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    staged = strip_and_stage(photo(), size=1000, name="face.jpg")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        # no consent to search: the service refuses the report
        services.public_report_submit(fields=REPORT, consents=[], photos=[staged])
    assert not PublicReport.objects.exists()
    assert files_under(evidence_root) == []


def test_an_unreadable_second_photo_leaves_neither(
    client: Any, form_data: dict[str, Any], evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    form_data["photo_1"] = photo()
    form_data["photo_2"] = SimpleUploadedFile("b.jpg", b"not a photo", "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, form_data).status_code == 422
    assert not PublicReport.objects.exists()
    assert files_under(evidence_root) == []


def test_a_report_rolled_back_after_it_was_written_leaves_no_photo(
    form_data: dict[str, Any], evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    staged = strip_and_stage(photo(), size=1000, name="face.jpg")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.public_report_submit(
            fields=REPORT,
            consents=["search"],
            photos=[staged],
        )
        raise RuntimeError("a later write fails")
    assert not FamilyPhoto.objects.exists()
    assert not storage.path_for(staged.sha256).exists()


def test_a_refused_addition_leaves_no_photo(
    form_data: dict[str, Any], evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    staged = strip_and_stage(photo(), size=1000, name="face.jpg")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        # no case link is needed to be refused: the kind is checked first
        services.family_addition_create(
            access=None,  # type: ignore[arg-type]
            kind="unknown",
            photo=staged,
        )
    assert not FamilyAddition.objects.exists()
    assert files_under(evidence_root) == []

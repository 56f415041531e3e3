from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from imena.audit.models import AuditEntry
from imena.evidence import services as evidence_services
from imena.evidence import storage
from imena.evidence.models import CustodyEntry, EvidenceItem
from imena.evidence.tests.factories import jpeg_with_exif, mp4_header, png, png_bomb
from imena.exhumations import services


def _upload(client, exhumation, name, content, **extra):
    data = {"kind": "photo", "file": SimpleUploadedFile(name, content), **extra}
    # the file goes into the store when the request's transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("exhumations:evidence_create", args=[exhumation.pk]), data
        )


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_photo_is_stored_by_its_hash_with_exif_time_and_position(
    client, exhumation, body, recorder, _evidence_root
) -> None:

    content = jpeg_with_exif()
    client.force_login(recorder)
    response = _upload(
        client, exhumation, "DSC_0001.JPG", content, body=body.pk, seal_number="S-001"
    )
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    sha = hashlib.sha256(content).hexdigest()
    assert item.sha256 == sha and item.body == body
    stored = _evidence_root / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == content
    local = timezone.localtime(item.captured_at)
    assert local.strftime("%Y-%m-%d %H:%M") == "2022-09-16 10:30"
    assert round(item.gps_lat, 4) == 49.19 and round(item.gps_lon, 4) == 37.28  # type: ignore[arg-type]
    assert item.custody.get().action == "collected"
    assert not list((_evidence_root / "tmp").iterdir())


@pytest.mark.django_db
def test_a_file_already_stored_is_refused_naming_the_item(
    client, exhumation, recorder
) -> None:
    client.force_login(recorder)
    _upload(client, exhumation, "a.jpg", jpeg_with_exif())
    response = _upload(client, exhumation, "copy.jpg", jpeg_with_exif())
    assert "already stored as evidence item EV-000001" in response.content.decode()
    assert EvidenceItem.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content",
    [
        ("notes.txt", b"just text"),
        ("script.jpg", b"#!/bin/sh\necho hi\n"),
        ("photo.exe", jpeg_with_exif()),
        ("video.jpg", mp4_header()),
    ],
)
def test_an_unknown_or_mismatched_file_type_is_refused(
    client, exhumation, recorder, _evidence_root, name, content
) -> None:
    client.force_login(recorder)
    response = _upload(client, exhumation, name, content)
    assert response.status_code == 400
    assert name in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert _stored_files(_evidence_root) == []


@pytest.mark.django_db
def test_a_video_over_the_size_limit_is_refused_while_streaming(
    client, exhumation, recorder, settings, _evidence_root
) -> None:
    settings.IMENA_MAX_EVIDENCE_BYTES = 10_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000  # stream to a temporary file
    client.force_login(recorder)
    response = _upload(
        client, exhumation, "long.mp4", mp4_header(extra=200_000), kind="video"
    )
    assert response.status_code == 400
    assert "long.mp4 is larger than the limit" in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert _stored_files(_evidence_root) == []


def test_the_store_stops_copying_past_the_limit_and_removes_the_partial_file(
    settings, tmp_path
) -> None:
    settings.EVIDENCE_ROOT = tmp_path

    def chunks():
        yield mp4_header()
        for _ in range(100):
            yield b"\x00" * 1000

    with pytest.raises(storage.EvidenceFileError, match="larger than the limit"):
        storage.stage(chunks(), name="big.mp4", max_bytes=5000)
    assert _stored_files(tmp_path) == []


@pytest.mark.django_db
def test_a_decompression_bomb_is_refused_and_nothing_stored(
    client, exhumation, recorder, _evidence_root
) -> None:
    client.force_login(recorder)
    response = _upload(client, exhumation, "bomb.png", png_bomb())
    assert "decompression bomb" in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert _stored_files(_evidence_root) == []


@pytest.mark.django_db
def test_hostile_exif_values_are_dropped_and_the_photo_kept(
    client, exhumation, recorder
) -> None:
    client.force_login(recorder)
    hostile = jpeg_with_exif(
        when="9999:99:99 99:99:99", lat=(500.0, 70.0, 0.0), gps_ref="X\x00\x07"
    )
    response = _upload(client, exhumation, "odd.jpeg", hostile)
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.captured_at is None and item.gps_lat is None
    assert set(item.metadata["rejected"]) == {"datetime", "gps"}


@pytest.mark.django_db
def test_a_png_without_exif_is_accepted(client, exhumation, recorder) -> None:
    client.force_login(recorder)
    assert _upload(client, exhumation, "plan.png", png()).status_code == 302
    assert EvidenceItem.objects.get().metadata == {"width": 8, "height": 8}


@pytest.mark.django_db
def test_each_hand_over_is_a_custody_entry_and_moves_the_holder(
    client, exhumation, recorder, users
) -> None:
    client.force_login(recorder)
    _upload(client, exhumation, "a.jpg", jpeg_with_exif())
    item = EvidenceItem.objects.get()
    client.force_login(users["investigator"])
    url = reverse("exhumations:custody_create", args=[item.pk])
    client.post(
        url,
        {
            "action": "handover",
            "to_person": "Слідчий С.",
            "place": "Ізюм",
            "purpose": "investigation",
            "seal_number": "S-2",
        },
    )
    client.post(
        url,
        {
            "action": "transfer",
            "to_person": "Лабораторія",
            "place": "Харків",
            "purpose": "analysis",
        },
    )
    chain = list(item.custody.order_by("seq").values_list("seq", "action", "to_person"))
    assert chain[1:] == [(2, "handover", "Слідчий С."), (3, "transfer", "Лабораторія")]
    item.refresh_from_db()
    assert item.holder == "Лабораторія" and item.seal_number == "S-2"
    assert CustodyEntry.objects.get(seq=3).from_person == "Слідчий С."
    assert AuditEntry.objects.filter(action="evidence.custody.transfer").exists()


@pytest.mark.django_db
def test_a_physical_item_needs_no_file(exhumation, recorder) -> None:
    item = evidence_services.evidence_create(
        actor=recorder,
        grave=exhumation.grave,
        exhumation=exhumation,
        kind="physical",
        description="rope, 40 cm",
    )
    assert item.sha256 == "" and item.custody.count() == 1


@pytest.mark.django_db
def test_evidence_verify_catches_a_changed_and_a_missing_file(
    client, exhumation, recorder, _evidence_root
) -> None:
    client.force_login(recorder)
    _upload(client, exhumation, "a.jpg", jpeg_with_exif())
    _upload(client, exhumation, "b.png", png())
    call_command("evidence", "verify")  # intact: no error
    first, second = EvidenceItem.objects.order_by("pk")
    path = storage.path_for(first.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"tampered")
    storage.path_for(second.sha256).unlink()
    with pytest.raises(CommandError) as err:
        call_command("evidence", "verify")
    assert "EV-000001 changed" in str(err.value) and "EV-000002 missing" in str(
        err.value
    )


@pytest.mark.django_db
def test_audit_verify_catches_an_edited_row(client, body, recorder) -> None:
    services.pm_section_save(
        actor=recorder,
        body=body,
        section="findings",
        data={"findings": "gunshot wound to the head"},
    )
    call_command("audit", "verify")
    entry = AuditEntry.objects.filter(action="pm.findings").get()
    AuditEntry.objects.filter(pk=entry.pk).update(after='{"findings":"natural"}')
    with pytest.raises(CommandError, match=f"entry #{entry.seq} was changed"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_file_swapped_with_its_row_hash_is_caught_by_the_audit_entry(
    client, exhumation, recorder, _evidence_root
) -> None:

    client.force_login(recorder)
    _upload(client, exhumation, "a.jpg", jpeg_with_exif())
    item = EvidenceItem.objects.get()
    forged = b"another picture"
    digest = hashlib.sha256(forged).hexdigest()
    path = storage.path_for(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(forged)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EvidenceItem._meta.db_table} SET sha256 = %s WHERE id = %s",
            [digest, item.pk],
        )
    with pytest.raises(CommandError, match="EV-000001 differs from its audit entry"):
        call_command("evidence", "verify")


@pytest.mark.django_db
def test_the_custody_purpose_follows_the_readers_language(
    client, exhumation, body, recorder
) -> None:
    client.force_login(recorder)
    _upload(
        client,
        exhumation,
        "DSC_0002.JPG",
        jpeg_with_exif(),
        body=body.pk,
        seal_number="S-002",
    )
    item = EvidenceItem.objects.get()
    url = reverse("exhumations:evidence_detail", args=[item.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ukrainian = client.get(url, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Collected and registered" in english
    assert "Collected and registered" not in ukrainian


def _in_store(root):
    # the store proper: its temporary folder holds copies not (yet) committed
    return [p for p in root.rglob("*") if p.is_file() and p.parent.name != "tmp"]


@pytest.mark.django_db
def test_an_item_rolled_back_with_its_transaction_leaves_no_file_in_the_store(
    exhumation, recorder, _evidence_root, django_capture_on_commit_callbacks
) -> None:
    staged = storage.stage([png()], name="pit.png")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        evidence_services.evidence_create(
            actor=recorder, grave=exhumation.grave, kind="photo", staged=staged
        )
        raise RuntimeError("a later write of the same transaction fails")
    assert not EvidenceItem.objects.exists()
    assert _in_store(_evidence_root) == []


@pytest.mark.django_db
def test_a_committed_item_is_in_the_store_and_verifies(
    exhumation, recorder, _evidence_root, django_capture_on_commit_callbacks
) -> None:
    staged = storage.stage([png()], name="pit.png")
    with django_capture_on_commit_callbacks(execute=True):
        item = evidence_services.evidence_create(
            actor=recorder, grave=exhumation.grave, kind="photo", staged=staged
        )
    assert _in_store(_evidence_root) == [storage.path_for(item.sha256)]
    assert not staged.temp_path.exists()
    call_command("evidence", "verify")

"""Ante-mortem photos: stored content-addressed, refused when unsafe, never public."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from conftest import make_user
from imena.audit.models import AuditEntry
from imena.evidence import storage
from imena.evidence.tests.factories import jpeg_with_exif, mp4_header, png, png_bomb
from imena.missing.models import MissingPhoto
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def person(org, liaison):
    return make_person(org, liaison)


def add(client, person, content: bytes, name: str = "face.jpg", **fields):
    data = {
        "kind": "face",
        "taken_on": "2021-06-01",
        "consent_use": "on",
        **fields,
        "file": SimpleUploadedFile(name, content),
    }
    # the file goes into the store when the request's transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("missing:photo_add", args=[person.pk]), data, follow=True
        )


def stored_files(root) -> list:
    # relative to the store: pytest's own folder is under /tmp
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and "tmp" not in p.relative_to(root).parts
    ]


def test_a_liaison_officer_adds_a_photo_stored_by_its_hash(
    client, liaison, person, _evidence_root
) -> None:
    client.force_login(liaison)
    content = jpeg_with_exif()
    response = add(client, person, content)
    assert "Photo face.jpg added." in response.content.decode()
    photo = MissingPhoto.objects.get()
    digest = hashlib.sha256(content).hexdigest()
    assert photo.sha256 == digest and photo.kind == "face" and photo.consent_use
    assert storage.path_for(digest).read_bytes() == content
    assert AuditEntry.objects.filter(action="missing.photo.add").exists()


@pytest.mark.parametrize(
    "role", ["family_liaison", "investigator", "forensic_examiner"]
)
def test_allowed_roles_see_the_photo_and_the_view_is_audited(
    client, users, liaison, person, role
) -> None:
    client.force_login(liaison)
    add(client, person, png(), "smile.png", kind="smile")
    photo = MissingPhoto.objects.get()
    client.force_login(users[role])
    page = client.get(person.get_absolute_url()).content.decode()
    assert reverse("missing:photo_file", args=[photo.pk]) in page
    response = client.get(reverse("missing:photo_file", args=[photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()
    assert AuditEntry.objects.filter(action="missing.photo.view").count() == 1


def test_a_dna_analyst_does_not_see_photos(client, users, liaison, person) -> None:
    client.force_login(liaison)
    add(client, person, png(), "face.png")
    photo = MissingPhoto.objects.get()
    client.force_login(users["dna_analyst"])
    page = client.get(person.get_absolute_url()).content.decode()
    assert 'id="photos"' not in page
    assert client.get(reverse("missing:photo_file", args=[photo.pk])).status_code == 403


def test_an_investigator_may_not_add_a_photo(client, users, person) -> None:
    client.force_login(users["investigator"])
    url = reverse("missing:photo_add", args=[person.pk])
    response = client.post(
        url, {"kind": "face", "file": SimpleUploadedFile("a.png", png())}
    )
    assert response.status_code == 403
    assert not MissingPhoto.objects.exists()


def test_another_organisation_gets_404(client, liaison, person, other_org) -> None:

    client.force_login(liaison)
    add(client, person, png(), "face.png")
    photo = MissingPhoto.objects.get()
    client.force_login(make_user(other_org, "family_liaison", "other-liaison"))
    assert client.get(reverse("missing:photo_file", args=[photo.pk])).status_code == 404
    response = client.post(
        reverse("missing:photo_add", args=[person.pk]),
        {"kind": "face", "file": SimpleUploadedFile("b.png", png())},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.png", png_bomb(), "decompression bomb"),
        ("clip.mp4", mp4_header(), "is not a JPEG, PNG or TIFF photo"),
        ("clip.jpg", mp4_header(), "does not match its content"),
        ("notes.txt", b"hello", "is not accepted"),
        ("empty.png", b"", "The submitted file is empty."),
    ],
)
def test_unsafe_or_wrong_files_are_refused_and_nothing_is_stored(
    client, liaison, person, _evidence_root, name, content, message
) -> None:
    client.force_login(liaison)
    response = add(client, person, content, name)
    assert message in response.content.decode()
    assert not MissingPhoto.objects.exists()
    assert stored_files(_evidence_root) == []


def test_a_photo_over_the_size_limit_is_refused(
    client, liaison, person, settings, _evidence_root
) -> None:
    settings.IMENA_MAX_PHOTO_BYTES = 100
    client.force_login(liaison)
    response = add(client, person, jpeg_with_exif(), "big.jpg")
    assert "big.jpg is larger than the limit of 100 bytes" in response.content.decode()
    assert not MissingPhoto.objects.exists()
    assert stored_files(_evidence_root) == []


def test_a_bad_kind_or_future_date_is_refused(client, liaison, person) -> None:
    client.force_login(liaison)
    assert (
        "Select a valid choice"
        in add(client, person, png(), "a.png", kind="xray").content.decode()
    )
    assert (
        "in the future"
        in add(client, person, png(), "a.png", taken_on="2999-01-01").content.decode()
    )
    assert not MissingPhoto.objects.exists()


def test_the_same_photo_twice_is_refused(client, liaison, person) -> None:
    client.force_login(liaison)
    add(client, person, png(), "a.png")
    assert "already attached" in add(client, person, png(), "b.png").content.decode()
    assert MissingPhoto.objects.count() == 1


def test_a_photo_is_withdrawn_with_a_reason_and_kept(client, liaison, person) -> None:
    client.force_login(liaison)
    add(client, person, png(), "a.png")
    photo = MissingPhoto.objects.get()
    url = reverse("missing:photo_withdraw", args=[photo.pk])
    client.post(url, {"reason": ""})
    photo.refresh_from_db()
    assert not photo.withdrawn
    client.post(url, {"reason": "Photo of the brother, not of the missing person"})
    photo.refresh_from_db()
    assert photo.withdrawn and MissingPhoto.objects.count() == 1
    assert AuditEntry.objects.filter(action="missing.photo.withdraw").exists()


def test_evidence_verify_covers_photos(client, liaison, person) -> None:

    client.force_login(liaison)
    add(client, person, jpeg_with_exif())
    photo = MissingPhoto.objects.get()
    call_command("evidence", "verify")
    path = storage.path_for(photo.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"appended")
    with pytest.raises(CommandError, match=f"photo {photo.pk} of .* changed"):
        call_command("evidence", "verify")


def test_a_photo_rolled_back_with_its_transaction_is_not_stored(
    liaison, person, _evidence_root, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    from imena.missing import services

    staged = services.photo_stage([png()], name="smile.png")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.missing_photo_create(
            actor=liaison, person=person, staged=staged, kind="smile"
        )
        raise RuntimeError("a later write of the same transaction fails")
    assert not MissingPhoto.objects.exists()
    assert stored_files(_evidence_root) == []

"""The public report form: drafts, photos stripped, abuse limits."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from imena.audit.models import AuditEntry
from imena.evidence import storage
from imena.families.models import FamilyPhoto, PublicReport
from imena.families.tests.conftest import gps_jpeg
from imena.missing.models import MissingPerson

pytestmark = pytest.mark.django_db

URL = "/family/report/"


def post(client: Any, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(URL, data, **extra)


def test_the_form_is_public_and_in_ukrainian(client: Any) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 200
    assert "Повідомити" in response.content.decode()


def test_a_report_is_a_draft_and_not_a_missing_person(client: Any, form_data) -> None:
    response = post(client, form_data)
    assert response.status_code == 302
    assert response["Location"] == reverse("families:report_received")
    report = PublicReport.objects.get()
    assert report.status == "draft" and report.person is None
    assert (report.birth_year, report.birth_month, report.birth_day) == (1979, 4, 2)
    assert report.clothing == [
        {"category": "jacket", "colours": ["khaki"], "label_text": ""}
    ]
    assert sorted(c.use for c in report.consents.all()) == ["dna", "search", "sharing"]
    assert all(c.given_at for c in report.consents.all())
    assert not MissingPerson.objects.exists()
    assert AuditEntry.objects.filter(action="families.report.submit").count() == 1


def test_search_consent_is_required(client: Any, form_data) -> None:
    del form_data["consent_search"]
    assert post(client, form_data).status_code == 422
    assert not PublicReport.objects.exists()


def test_a_way_to_reach_the_reporter_is_required(client: Any, form_data) -> None:
    del form_data["reporter_phone"]
    response = post(client, form_data)
    assert response.status_code == 422
    assert "at least one way to reach you" in response.content.decode()


def test_photo_metadata_is_stripped(client: Any, form_data) -> None:
    form_data["photo_1"] = SimpleUploadedFile("face.jpg", gps_jpeg(), "image/jpeg")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert post(client, form_data).status_code == 302
    photo = FamilyPhoto.objects.get()
    data = storage.path_for(photo.sha256).read_bytes()
    assert b"SyntheticCam" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert not im.getexif().get_ifd(0x8825)
        assert (im.width, im.height) == (64, 48)


def test_a_file_that_is_not_a_photo_is_refused(client: Any, form_data) -> None:
    form_data["photo_1"] = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo")
    assert post(client, form_data).status_code == 422
    assert not PublicReport.objects.exists()


def test_a_photo_over_the_limit_is_refused(client: Any, form_data, settings) -> None:
    settings.IMENA_FAMILY_PHOTO_BYTES = 100
    form_data["photo_1"] = SimpleUploadedFile("face.jpg", gps_jpeg())
    assert post(client, form_data).status_code == 422
    assert not PublicReport.objects.exists()


def test_text_longer_than_the_limit_is_refused(client: Any, form_data) -> None:
    form_data["circumstances_text"] = "х" * 4001
    assert post(client, form_data).status_code == 422


def test_the_honeypot_pretends_and_stores_nothing(client: Any, form_data) -> None:
    form_data["website"] = "http://spam.example"
    response = post(client, form_data)
    assert response.status_code == 302
    assert response["Location"] == reverse("families:report_received")
    assert not PublicReport.objects.exists()


def test_rate_limit_per_address(client: Any, form_data, settings) -> None:
    settings.IMENA_FAMILY_REPORT_RATE = "2/h"
    for i in range(2):
        form_data["reporter_phone"] = f"+380 00 000 00{i}9"
        assert post(client, form_data).status_code == 302
    assert post(client, form_data).status_code == 429
    assert PublicReport.objects.count() == 2


def test_rate_limit_per_contact(client: Any, form_data, settings) -> None:
    settings.IMENA_FAMILY_REPORT_CONTACT_RATE = "1/d"
    assert post(client, form_data, REMOTE_ADDR="192.0.2.1").status_code == 302
    # The same telephone written differently, from another address.
    form_data["reporter_phone"] = "(00) 000-00-01"
    assert post(client, form_data, REMOTE_ADDR="192.0.2.2").status_code == 429
    assert PublicReport.objects.count() == 1

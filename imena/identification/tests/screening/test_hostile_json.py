"""Hostile JSON profile files answer with a message, never a 500 (#19 row 11)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imena.dna.models import DNAProfile
from imena.dna.uploads import ProfileFileError, parse_profile_file

HOSTILE = {
    "infinite sex": '{"pm": {"V1": {"sex": 1e999, "D3S1358": ["15", "16"]}}}',
    "NaN": '{"pm": {"V1": {"sex": NaN, "D3S1358": ["15", "16"]}}}',
    "huge integer": '{"pm": {"V1": {"sex": 1' + "0" * 5000 + "}}}",
    "deep nesting": '{"pm": ' + "[" * 40_000 + "]" * 40_000 + "}",
    "moderately deep": '{"pm": {"V1": ' + "[" * 100 + "]" * 100 + "}}",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_parse_refuses_with_a_profile_file_error(text) -> None:
    with pytest.raises(ProfileFileError, match="p.json"):
        parse_profile_file(io.BytesIO(text.encode()), filename="p.json")


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_upload_answers_with_a_message(client, analyst, text) -> None:
    client.force_login(analyst)
    response = client.post(
        reverse("dna:profile_upload"),
        {"kind": "pm", "file": SimpleUploadedFile("p.json", text.encode())},
    )
    assert response.status_code in (200, 302, 400)
    assert b"p.json" in response.content
    assert not DNAProfile.objects.exists()

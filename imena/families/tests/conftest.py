from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from imena.accounts.models import Role


@pytest.fixture(autouse=True)
def evidence_root(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def liaison(users: dict[str, Any]) -> Any:
    return users[Role.FAMILY_LIAISON]


def gps_jpeg(colour: str = "red") -> bytes:
    """A small JPEG with an EXIF GPS position and a camera make."""
    from PIL import Image

    im = Image.new("RGB", (64, 48), colour)
    exif = im.getexif()
    exif[0x010F] = "SyntheticCam"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (50.0, 27.0, 1.5)
    gps[3] = "E"
    gps[4] = (30.0, 31.0, 2.5)
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"SyntheticCam" in data
    return data


# Synthetic people only: these names belong to no one.
FORM = {
    "family_name": "Тестенко",
    "given_names": "Вигадан",
    "patronymic": "Петрович",
    "sex": "male",
    "date_of_birth": "1979-04-02",
    "last_seen_place": "Синтетичне, Харківська обл.",
    "circumstances": "shelling",
    "reporter_name": "Тестенко Ганна",
    "reporter_relationship": "мати",
    "reporter_phone": "+380 00 000 0001",
    "dna_relatives": ["mother"],
    "consent_search": "on",
    "consent_dna": "on",
    "consent_sharing": "on",
    "clothing_1_category": "jacket",
    "clothing_1_colour": "khaki",
}


@pytest.fixture
def form_data() -> dict[str, Any]:
    return dict(FORM)

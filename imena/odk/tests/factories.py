from __future__ import annotations

import base64
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from imena.odk import services

# A 1×1 JPEG: enough for a photo attachment.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////"
    "////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAA"
    "AAAAAAAAAP/aAAgBAQABPxA="
)


def basic(username: str, secret: str) -> str:
    raw = f"{username}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def token_for(user) -> str:
    _token, secret = services.app_token_create(user=user, label="test tablet")
    return secret


def instance_xml(
    form_id: str,
    version: str,
    fields: dict[str, str] | str,
    instance_id: str | None = None,
    root: str = "data",
) -> bytes:
    """An instance as Collect sends it; ``fields`` as a dict or ready XML."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    if isinstance(fields, dict):
        body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    else:
        body = fields
    return (
        f'<?xml version="1.0"?><{root} xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"{body}<meta><instanceID>{instance_id}</instanceID></meta></{root}>"
    ).encode()


def xml_file(xml: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("submission.xml", xml, content_type="text/xml")


def photo(name: str = "marker.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def real_jpeg(colour: tuple[int, int, int] = (120, 90, 60)) -> bytes:
    """A small real JPEG (the evidence store sniffs and opens photos)."""

    # Pillow is heavy and only needed for images; imported on use.
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="JPEG")
    return out.getvalue()

"""The settings QR code that ODK Collect (and Kobo Collect) scans to set up a project.

Collect reads a QR code whose text is base64(zlib(JSON)), the JSON having a
``general`` section (server and account), an ``admin`` section (protected
settings, empty here) and a ``project`` section (name, icon, colour). Any
setting the code leaves out keeps Collect's default.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

#: Collect keeps its forms identical to the server's list, checking for updates.
FORM_UPDATE_MODE = "match_exactly"
PROJECT_ICON = "I"
PROJECT_COLOUR = "#1f4e79"


def collect_settings(
    *, server_url: str, username: str, token: str, project_name: str
) -> dict[str, Any]:
    """The settings Collect imports: server, account and project."""
    return {
        "general": {
            # Collect appends /formList and /submission to the URL itself.
            "server_url": server_url.rstrip("/"),
            "username": username,
            "password": token,
            "form_update_mode": FORM_UPDATE_MODE,
        },
        "admin": {},
        "project": {
            "name": project_name,
            "icon": PROJECT_ICON,
            "color": PROJECT_COLOUR,
        },
    }


def encode_settings(settings: dict[str, Any]) -> str:
    """The text of the QR code: base64 of the zlib-compressed JSON."""
    raw = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(zlib.compress(raw.encode("utf-8"), 9)).decode("ascii")


def decode_settings(payload: str) -> dict[str, Any]:
    """The settings in a QR code's text, as Collect reads them."""
    settings: dict[str, Any] = json.loads(
        zlib.decompress(base64.b64decode(payload)).decode("utf-8")
    )
    return settings


def qr_svg(payload: str) -> str:
    """The QR code of ``payload`` as an SVG element (black on white)."""
    # qrcode is only needed on the token page; imported on use.
    import qrcode
    from qrcode.image.svg import SvgPathFillImage

    image = qrcode.make(
        payload,
        image_factory=SvgPathFillImage,
        box_size=10,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")

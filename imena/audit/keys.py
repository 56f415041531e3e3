"""The audit key: HMAC-SHA-256 over each entry and each anchor.

The key lives outside the database (``IMENA_AUDIT_KEY`` or the file named by
``IMENA_AUDIT_KEY_FILE``), so someone who can write the tables cannot
recompute a chain that still verifies. Each entry records the scheme and a
short key id (``hmac-sha256:<id>``), so entries written before keys existed
(scheme ``sha256``) and entries written under a previous key
(``IMENA_AUDIT_PREVIOUS_KEYS``) still verify.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

LEGACY_SCHEME = "sha256"
HMAC_PREFIX = "hmac-sha256:"
#: Used only when no key is configured (development, the demo). It is public,
#: so entries keyed with it are as weak as unkeyed ones; a system check warns.
DEVELOPMENT_KEY = "imena-development-audit-key-not-secret"
#: The placeholder of .env.example: public too, so treated as no key.
EXAMPLE_KEYS = ("change-me-to-another-long-random-string",)


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"imena-audit-key-id:" + key).hexdigest()[:12]


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    return [k.strip() for k in value.replace(",", "\n").splitlines() if k.strip()]


def _configured() -> str | None:
    raw = getattr(settings, "IMENA_AUDIT_KEY", None)
    return raw if raw and raw not in EXAMPLE_KEYS else None


def current_key() -> tuple[str, bytes]:
    """(key id, key) that new entries and anchors are keyed with."""
    raw = _configured() or DEVELOPMENT_KEY
    key = raw.encode()
    return key_id(key), key


def known_keys() -> dict[str, bytes]:
    keys = [current_key()[1]]
    keys += [
        k.encode() for k in _split(getattr(settings, "IMENA_AUDIT_PREVIOUS_KEYS", ""))
    ]
    keys.append(DEVELOPMENT_KEY.encode())
    return {key_id(k): k for k in keys}


def is_strong(scheme: str) -> bool:
    """An entry keyed with a configured (not the public development) key."""
    return scheme.startswith(HMAC_PREFIX) and scheme != scheme_for(
        key_id(DEVELOPMENT_KEY.encode())
    )


def key_configured() -> bool:
    return _configured() is not None


def scheme_for(kid: str) -> str:
    return f"{HMAC_PREFIX}{kid}"


def sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

"""Case links: a 256-bit secret, of which only a SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets

#: Bytes of randomness in a case link (256 bits; the issue asks for >= 128).
TOKEN_BYTES = 32
#: Case codes: no 0/O, 1/I/L, so that they can be read out over the telephone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """A lookup key for the token. A plain hash suffices: the token has 256
    bits of entropy, so it cannot be found from the hash by trying."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_case_code() -> str:
    """A code the family quotes on the telephone, ``F-XXXX-XXXX`` (~40 bits).

    It names the case; it opens nothing (the link's secret does)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"F-{chars[:4]}-{chars[4:]}"

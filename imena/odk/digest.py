"""HTTP Digest authentication (RFC 7616, MD5, qop=auth) for app tokens.

ODK Collect offers HTTP Basic only to ``https`` servers and Digest to every
server, so a field laptop serving Imena over plain HTTP on a local network is
usable from a phone only with Digest. The server never keeps the token: a
token's Digest secret is HA1 = MD5(username:realm:token), computed once when
the token is created. HA1 is a hash of a 192-bit random token, so it does not
give the token back, but it is enough to answer Digest challenges for that one
token: revoking the token ends it.

Nonces are signed timestamps (no server state); a (nonce, cnonce, nc) triple
is accepted once, remembered in the cache for the nonce's lifetime, so a
captured request cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core import signing
from django.core.cache import cache

REALM = "Imena"
NONCE_MAX_AGE = 600  # seconds; Collect answers a stale nonce by itself
_SALT = "imena.odk.digest.nonce"
_PARAM = re.compile(r'([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)')


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def ha1(username: str, token: str) -> str:
    """The Digest secret of a token: MD5(username:realm:token), UTF-8."""
    return md5_hex(f"{username}:{REALM}:{token}")


def new_nonce() -> str:
    return signing.TimestampSigner(salt=_SALT).sign(secrets.token_urlsafe(12))


def challenge(*, stale: bool = False) -> str:
    """The ``WWW-Authenticate`` value: a fresh nonce, UTF-8 user names."""
    value = (
        f'Digest realm="{REALM}", qop="auth", algorithm=MD5, '
        f'nonce="{new_nonce()}", charset=UTF-8'
    )
    if stale:
        value += ", stale=true"
    return value


@dataclass(frozen=True)
class DigestAnswer:
    """The parameters of an ``Authorization: Digest ...`` header."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    qop: str
    nc: str
    cnonce: str
    algorithm: str

    def expected(self, ha1_hex: str, method: str) -> str:
        ha2 = md5_hex(f"{method}:{self.uri}")
        return md5_hex(
            f"{ha1_hex}:{self.nonce}:{self.nc}:{self.cnonce}:{self.qop}:{ha2}"
        )

    def matches(self, ha1_hex: str, method: str) -> bool:
        return hmac.compare_digest(self.expected(ha1_hex, method), self.response)

    def nonce_state(self) -> str:
        """``"fresh"``, ``"stale"`` (signed by this server, expired) or ``"bad"``."""
        signer = signing.TimestampSigner(salt=_SALT)
        try:
            signer.unsign(self.nonce, max_age=NONCE_MAX_AGE)
        except signing.SignatureExpired:
            return "stale"
        except signing.BadSignature:
            return "bad"
        return "fresh"

    def first_use(self) -> bool:
        """True the first time this (nonce, cnonce, nc) is seen; False on a replay."""
        key = (
            "odk-digest:"
            + hashlib.sha256(
                f"{self.nonce}\0{self.cnonce}\0{self.nc}".encode()
            ).hexdigest()
        )
        return bool(cache.add(key, 1, timeout=NONCE_MAX_AGE + 60))

    def targets(self, full_path: str) -> bool:
        """Whether the signed ``uri`` is the request's path and query."""
        signed = urlsplit(self.uri)
        actual = urlsplit(full_path)
        return unquote(signed.path) == unquote(actual.path) and unquote(
            signed.query
        ) == unquote(actual.query)


def parse_authorization(header: str) -> DigestAnswer | None:
    """The Digest answer in an ``Authorization`` header, or None if it is not one.

    Only what Collect sends is taken: MD5 (or no algorithm named) with
    ``qop=auth``, which carries the client nonce and count that stop replays.
    """
    scheme, _sep, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params: dict[str, str] = {}
    for name, raw in _PARAM.findall(rest):
        value = raw
        if raw.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[name.lower()] = value
    needed = ("username", "realm", "nonce", "uri", "response", "nc", "cnonce")
    if any(not params.get(k) for k in needed):
        return None
    if params.get("qop", "").lower() != "auth":
        return None
    algorithm = params.get("algorithm", "MD5")
    if algorithm.upper() != "MD5":
        return None
    if not re.fullmatch(r"[0-9a-fA-F]{8}", params["nc"]):
        return None
    return DigestAnswer(
        username=params["username"],
        realm=params["realm"],
        nonce=params["nonce"],
        uri=params["uri"],
        response=params["response"].lower(),
        qop="auth",
        nc=params["nc"],
        cnonce=params["cnonce"],
        algorithm=algorithm,
    )

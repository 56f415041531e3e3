"""App-token authentication for the OpenRosa endpoints only: Basic and Digest.

The username is the Imena username and the password an app token the user
created on the web page (never the account password). Tokens are stored as
SHA-256: they are long random strings, so a fast hash is enough. Digest
answers are checked against the token's HA1 (see ``digest.py``).

The challenge follows what ODK Collect does: over HTTPS it takes Basic, over
plain HTTP only Digest, so a plain-HTTP request is challenged with Digest (and
the token never crosses the network in clear); an HTTPS one with Basic.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from imena.odk import digest
from imena.odk.digest import REALM
from imena.odk.models import AppToken
from imena.odk.services import token_hash

if TYPE_CHECKING:
    from imena.accounts.models import User

OPENROSA_VERSION = "1.0"
TOUCH_EVERY = dt.timedelta(minutes=5)


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` on the public address: SITE_ROOT if set, else the request's.

    The request's scheme is https behind a TLS proxy when SECURE_PROXY_SSL_HEADER
    names the header the proxy sets.
    """
    if settings.SITE_ROOT:
        return settings.SITE_ROOT + path
    return request.build_absolute_uri(path)


class LockedOut(Exception):
    """Too many failed attempts for this username (django-axes)."""


class Stale(Exception):
    """A right Digest answer to an expired or already used nonce: challenge again."""


def user_from_request(request: HttpRequest) -> User | None:
    """The user of a valid app token (Basic or Digest), or None.

    Raises LockedOut when the username is locked, Stale when a Digest answer
    was right but its nonce has expired or was used before. A wrong token
    counts as a failed login of that username, as a wrong password on the login
    page does, and a locked username is refused either way.
    """
    answer = digest.parse_authorization(request.META.get("HTTP_AUTHORIZATION", ""))
    if answer is not None:
        return _checked(request, answer.username, lambda: _digest_user(request, answer))
    username, secret = _basic_credentials(request)
    if not username or not secret:
        return None
    return _checked(request, username, lambda: _token_user(username, secret))


def _checked(
    request: HttpRequest, username: str, find: Callable[[], User | None]
) -> User | None:
    credentials = {"username": username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise LockedOut(username)
    user = find()
    if user is None:
        user_login_failed.send(
            sender=__name__, credentials=credentials, request=request
        )
        if not AxesProxyHandler.is_allowed(request, credentials):
            raise LockedOut(username)
    return user


def _digest_user(request: HttpRequest, answer: digest.DigestAnswer) -> User | None:
    nonce = answer.nonce_state()
    if (
        nonce == "bad"
        or answer.realm != REALM
        or not answer.targets(request.get_full_path())
    ):
        return None
    username_field = get_user_model().USERNAME_FIELD
    candidates = (
        AppToken.objects.select_related("user", "user__organisation")
        .filter(revoked__isnull=True, **{f"user__{username_field}": answer.username})
        .exclude(digest_ha1="")
    )
    method = request.method or "GET"
    token = next((t for t in candidates if answer.matches(t.digest_ha1, method)), None)
    if token is None or not token.user.is_active:
        return None
    if nonce == "stale" or not answer.first_use():
        raise Stale(answer.username)
    _touch(token)
    return token.user


def _basic_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    username, sep, secret = decoded.partition(":")
    if not sep:
        return "", ""
    return username, secret


def _token_user(username: str, secret: str) -> User | None:
    token = (
        AppToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=token_hash(secret), revoked__isnull=True)
        .first()
    )
    if (
        token is None
        or token.user.get_username() != username
        or not token.user.is_active
    ):
        return None
    _touch(token)
    return token.user


def _touch(token: AppToken) -> None:
    now = timezone.now()
    if token.last_used is None or now - token.last_used > TOUCH_EVERY:
        AppToken.objects.filter(pk=token.pk).update(last_used=now)


def openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["Date"] = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def unauthorized(request: HttpRequest, *, stale: bool = False) -> HttpResponse:
    """401 with Basic over HTTPS, Digest over plain HTTP (and after a stale nonce)."""
    response = HttpResponse(status=401)
    if stale or not request.is_secure():
        response["WWW-Authenticate"] = digest.challenge(stale=stale)
    else:
        response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return openrosa_headers(response)


def locked_out() -> HttpResponse:
    response = HttpResponse(
        _("Too many failed attempts for this username; try again later."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    return openrosa_headers(response)


def openrosa_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """CSRF-exempt, app-token authenticated, OpenRosa headers on every answer."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            user = user_from_request(request)
        except LockedOut:
            return locked_out()
        except Stale:
            return unauthorized(request, stale=True)
        if user is None:
            return unauthorized(request)
        request.user = user
        return openrosa_headers(view(request, *args, **kwargs))

    return wrapper

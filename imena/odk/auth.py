"""HTTP Basic authentication with app tokens, for the OpenRosa endpoints only.

The username is the Imena username and the password an app token the user
created on the web page (never the account password). Tokens are stored as
SHA-256: they are long random strings, so a fast hash is enough.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from imena.odk.models import AppToken
from imena.odk.services import token_hash

if TYPE_CHECKING:
    from imena.accounts.models import User

REALM = "Imena"
OPENROSA_VERSION = "1.0"
TOUCH_EVERY = dt.timedelta(minutes=5)


def user_from_basic(request: HttpRequest) -> User | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, secret = decoded.partition(":")
    if not sep or not secret:
        return None
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
    now = timezone.now()
    if token.last_used is None or now - token.last_used > TOUCH_EVERY:
        AppToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


def openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["Date"] = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def unauthorized() -> HttpResponse:
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return openrosa_headers(response)


def openrosa_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """CSRF-exempt, app-token authenticated, OpenRosa headers on every answer."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = user_from_basic(request)
        if user is None:
            return unauthorized()
        request.user = user
        return openrosa_headers(view(request, *args, **kwargs))

    return wrapper

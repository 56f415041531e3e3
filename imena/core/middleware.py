"""Request-wide safeguards: upload limits, idle sessions, no caching of pages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)

# Room for the form's other fields and the multipart headers around the file.
MULTIPART_MARGIN = 1024 * 1024
# Views that count their upload themselves while it streams (their own upload
# handler or a raw stream); only the declared length is checked here.
STREAMED_BY_VIEW = {
    "missing:photo_add",
    "exhumations:evidence_create",
    "odk:submission",
}


class _TooLarge:
    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit


class CountingUploadHandler(FileUploadHandler):
    """Count the bytes of each file as they arrive; past the limit, stop reading.

    Django deletes the partial temporary file; the middleware answers 413.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.request._imena_too_large = _TooLarge(  # type: ignore[union-attr]
                self.file_name or "", self.limit
            )
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None


def _too_large(request: HttpRequest, limit: int, name: str = "") -> HttpResponse:
    message = _(
        "The upload is larger than the limit of %(limit)s for this page; "
        "nothing was stored."
    ) % {"limit": filesizeformat(limit)}
    if name:
        message = f"{name}: {message}"
    response = render(
        request, "core/upload_too_large.html", {"message": message}, status=413
    )
    # The rest of the body is not read: tell the client not to send more on
    # this connection.
    response["Connection"] = "close"
    return response


class UploadLimitMiddleware:
    """Refuse an upload past its page's limit before or while its body arrives."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            refused = self._refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        limits = settings.IMENA_UPLOAD_LIMITS
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return None
        setting = limits.get(view_name)
        if setting is None:
            # Any other page: no file larger than the largest upload limit.
            limit = max(int(getattr(settings, s)) for s in limits.values())
        else:
            limit = int(getattr(settings, setting))
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + MULTIPART_MARGIN:
            return _too_large(request, limit)
        if (
            setting is None
            or view_name in STREAMED_BY_VIEW
            or not (request.content_type or "").startswith("multipart/")
        ):
            return None
        request.upload_handlers.insert(0, CountingUploadHandler(request, limit))
        request.POST  # noqa: B018 - parse now, while the handler counts
        too_large = getattr(request, "_imena_too_large", None)
        if too_large is not None:
            return _too_large(request, too_large.limit, too_large.name)
        return None


class IdleTimeoutMiddleware:
    """Log out a session unused for IMENA_SESSION_IDLE_MINUTES."""

    KEY = "_imena_last_seen"
    # The session is written at most once a minute, not on every request.
    RESOLUTION = 60

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(self.KEY)
            if (
                isinstance(seen, int)
                and now - seen > settings.IMENA_SESSION_IDLE_MINUTES * 60
            ):
                logout(request)
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
                return redirect_to_login(request.get_full_path())
            if not isinstance(seen, int) or now - seen >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page or file.

    Nearly every page holds personal, genetic or evidential data; static files
    are served (and cached) by WhiteNoise before this runs.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class ConflictMiddleware:
    """Answer a write that lost a race with 409 and a message, never a 500.

    Two people deciding the same review question, proposing for the same body
    or importing the same journal at once: the database constraints keep one
    (IntegrityError for the other), or SQLite's lock outlasts its timeout.
    Nothing of the losing request was stored (its transaction rolled back).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, IntegrityError):
            message = _(
                "Someone else changed the same record at the same moment, so your "
                "change was not saved. Reload the page to see the current state "
                "and try again if it is still needed."
            )
        elif isinstance(exception, OperationalError) and "locked" in str(exception):
            message = _(
                "The database was busy and your change was not saved. "
                "Try again in a moment."
            )
        else:
            return None
        logger.warning(
            "write conflict on %s %s: %s", request.method, request.path, exception
        )
        if request.headers.get("HX-Request"):
            # htmx swaps no 4xx answer: reload the page, which shows the message.
            messages.error(request, message)
            response = HttpResponse(message, status=409)
            response["HX-Refresh"] = "true"
            return response
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "/"
        return render(
            request,
            "core/conflict.html",
            {"message": message, "back": back},
            status=409,
        )

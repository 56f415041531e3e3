from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from imena.core.health import health


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the instance can serve, else 503."""
    ok, checks = health()
    return JsonResponse(
        {"status": "ok" if ok else "error", **checks}, status=200 if ok else 503
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on every page; it lives with the static files."""
    return HttpResponseRedirect(static("favicon.ico"))

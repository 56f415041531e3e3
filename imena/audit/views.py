from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from imena.accounts.access import require
from imena.audit.models import AuditEntry


@require_GET
@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.view")  # type: ignore[arg-type]
    entries = AuditEntry.objects.filter(
        organisation_id=request.user.organisation_id  # type: ignore[union-attr]
    ).order_by("-seq")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/entry_list.html", {"page": page})

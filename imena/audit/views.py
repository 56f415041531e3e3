from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from imena.accounts.access import require
from imena.accounts.http import AuthenticatedHttpRequest
from imena.audit.models import AuditEntry
from imena.lib.lists import paginate


@require_GET
@login_required
def entry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "audit.view")
    entries = (
        AuditEntry.objects.filter(organisation_id=request.user.organisation_id)
        .select_related("actor")
        .order_by("-seq")
    )
    page = paginate(request, entries, per_page=50).page
    return render(request, "audit/entry_list.html", {"page": page})

"""The grave page's exhumation section: exhumations, bodies, PM numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from imena.accounts.roles import can

if TYPE_CHECKING:
    from imena.accounts.http import AuthenticatedHttpRequest


def grave_panel(request: AuthenticatedHttpRequest, grave: Any) -> str | None:
    if not can(request.user, "postmortem.view"):
        return None
    exhumations = grave.exhumations.prefetch_related("bodies").order_by("date", "pk")
    return render_to_string(
        "exhumations/grave_panel.html",
        {
            "grave": grave,
            "exhumations": exhumations,
            "can_change": can(request.user, "postmortem.change"),
        },
        request=request,
    )

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from imena.accounts.roles import can
from imena.journals import selectors

if TYPE_CHECKING:
    from imena.accounts.http import AuthenticatedHttpRequest
    from imena.burials.models import Grave


def grave_panel(request: AuthenticatedHttpRequest, grave: Grave) -> str | None:
    if not can(request.user, "journal.view"):
        return None
    return render_to_string(
        "journals/grave_panel.html",
        {
            "rows": selectors.rows_for_grave(grave),
            "clusters": selectors.clusters_for_grave(grave),
            "conflicts": selectors.conflicts_for_grave(grave),
        },
        request=request,
    )

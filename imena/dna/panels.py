"""The grave page's DNA section: the bodies' best candidates from the latest screening."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from imena.accounts.roles import can
from imena.dna.selectors import latest_screening

if TYPE_CHECKING:
    from django.http import HttpRequest

#: Candidates shown per body on the grave page.
SHOWN = 3


def grave_panel(request: HttpRequest, grave: Any) -> str | None:
    if not can(request.user, "dna.view"):  # type: ignore[arg-type]
        return None
    run = latest_screening(grave.site)
    bodies: dict[str, list[Any]] = defaultdict(list)
    if run is not None:
        for c in (
            run.candidate_rows.filter(body__grave=grave, rank__lte=SHOWN)
            .select_related("person")
            .order_by("pm_label", "rank")
        ):
            bodies[c.pm_label].append(c)
    return render_to_string(
        "dna/grave_panel.html",
        {
            "grave": grave,
            "run": run,
            "bodies": sorted(bodies.items()),
            "joint": len(bodies) > 1,
        },
        request=request,
    )

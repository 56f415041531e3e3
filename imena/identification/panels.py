from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from imena.accounts.roles import can
from imena.identification import selectors

if TYPE_CHECKING:
    from django.http import HttpRequest

    from imena.burials.models import Grave


def grave_panel(request: HttpRequest, grave: Grave) -> str | None:
    """Candidates and identifications of the bodies found in this grave."""
    user = request.user
    # Candidate lists name bodies and their post-mortem numbers: only for
    # roles that may see post-mortem records (family liaison officers work
    # from the confirmed identifications in their own queue instead).
    if not (can(user, "identification.view") and can(user, "postmortem.view")):  # type: ignore[arg-type]
        return None
    from imena.exhumations.models import Body

    bodies = []
    for body in Body.objects.current().filter(grave=grave).order_by("pm_number"):
        analysis = selectors.latest_analysis(body)
        cands = (
            list(analysis.candidates.select_related("person")[:3]) if analysis else []
        )
        bodies.append(
            {
                "body": body,
                "analysis": analysis,
                "candidates": cands,
                "identifications": body.identifications.select_related("person"),
            }
        )
    if not bodies:
        return None
    return render_to_string(
        "identification/grave_panel.html", {"bodies": bodies}, request=request
    )

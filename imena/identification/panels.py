"""The grave page's sections of this app: DNA screening, then candidates."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from imena.accounts.roles import can
from imena.exhumations.models import Body
from imena.identification import selectors

if TYPE_CHECKING:
    from imena.accounts.http import AuthenticatedHttpRequest
    from imena.burials.models import Grave


#: DNA screening candidates shown per body on the grave page.
SHOWN = 3


def grave_panel(request: AuthenticatedHttpRequest, grave: Grave) -> str | None:
    """The DNA screening section and the candidates section, each if permitted."""
    parts = [
        p for p in (dna_panel(request, grave), candidates_panel(request, grave)) if p
    ]
    return "".join(parts) or None


def dna_panel(request: AuthenticatedHttpRequest, grave: Grave) -> str | None:
    """The bodies' best candidates from the site's latest DNA screening."""
    if not can(request.user, "dna.view"):
        return None
    run = selectors.latest_screening(grave.site)
    bodies: dict[str, list[Any]] = defaultdict(list)
    if run is not None:
        for c in (
            run.candidate_rows.filter(body__grave=grave, rank__lte=SHOWN)
            .select_related("person")
            .order_by("pm_label", "rank")
        ):
            bodies[c.pm_label].append(c)
    return render_to_string(
        "identification/screening_grave_panel.html",
        {
            "grave": grave,
            "run": run,
            "bodies": sorted(bodies.items()),
            "joint": len(bodies) > 1,
        },
        request=request,
    )


def candidates_panel(request: AuthenticatedHttpRequest, grave: Grave) -> str | None:
    """Candidates and identifications of the bodies found in this grave."""
    user = request.user
    # Candidate lists name bodies and their post-mortem numbers: only for
    # roles that may see post-mortem records (family liaison officers work
    # from the confirmed identifications in their own queue instead).
    if not (can(user, "identification.view") and can(user, "postmortem.view")):
        return None
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

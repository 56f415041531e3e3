"""Identified and proposed names of a grave, registered with ``imena.burials.names``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from imena.identification.models import Identification, IdentificationStatus

LIVE = [IdentificationStatus.CONFIRMED, IdentificationStatus.PROPOSED]


def grave_search(text: str) -> Q:
    """Graves where a body is identified (or proposed) as a person of that name."""
    live = Q(bodies__identifications__status__in=LIVE)
    person = "bodies__identifications__person__"
    return live & (
        Q(**{f"{person}family_name__icontains": text})
        | Q(**{f"{person}given_names__icontains": text})
    )


def grave_names(grave_ids: list[int]) -> dict[int, str]:
    """Each grave's identified names, a proposal marked as such."""
    names: dict[int, list[str]] = {}
    rows = (
        Identification.objects.filter(body__grave_id__in=grave_ids, status__in=LIVE)
        .select_related("person", "body")
        .order_by("body__pm_number")
    )
    for ident in rows:
        name = str(ident.person)
        if ident.status == IdentificationStatus.PROPOSED:
            name = _("%(name)s (proposed)") % {"name": name}
        names.setdefault(ident.body.grave_id, []).append(name)
    return {pk: "; ".join(found) for pk, found in names.items()}

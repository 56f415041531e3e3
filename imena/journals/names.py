"""The journals' names for a grave, registered with ``imena.burials.names``."""

from __future__ import annotations

from django.db.models import Q

from imena.journals.models import PersonCluster


def grave_search(text: str) -> Q:
    """Graves with a journal row, or a reconciled person, of that name."""
    return (
        Q(journal_rows__surname__icontains=text)
        | Q(journal_rows__given_name__icontains=text)
        | Q(journal_rows__full_name__icontains=text)
        | Q(person_clusters__name__icontains=text)
    )


def grave_names(grave_ids: list[int]) -> dict[int, str]:
    """The name the newest reconciliation proposes for each grave (largest group)."""
    out: dict[int, str] = {}
    rows = (
        PersonCluster.objects.filter(grave_id__in=grave_ids)
        .exclude(name="")
        .order_by("grave_id", "-run_id", "-size")
        .values_list("grave_id", "name")
    )
    for grave_id, name in rows:
        out.setdefault(grave_id, name)
    return out

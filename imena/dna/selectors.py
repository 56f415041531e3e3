"""Reads other apps call: the DNA results of a site's latest screening."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imena.dna.models import ScreeningCandidate, ScreeningRun

if TYPE_CHECKING:
    from imena.burials.models import Site


def latest_screening(site: Site) -> ScreeningRun | None:
    """The site's most recent screening, or None."""
    return ScreeningRun.objects.filter(site=site).order_by("-created", "-pk").first()


def dna_lrs_for_site(
    site: Site, *, run: ScreeningRun | None = None
) -> dict[tuple[int, int], dict[str, Any]]:
    """Return ``{(body id, missing person id): {...}}`` from the latest screening.

    Each value is ``{"lr": float, "log10_lr": float, "inconsistent": int,
    "per_marker": {locus: LR or None}, "rank": int, "run": run id}``.  Only the
    kept candidates are present (LR >= the run's threshold, or in a body's
    top-k); a pair that is absent was screened and found weaker, or (if the
    body has no entry at all) the body had no current profile then.  No
    access check: callers check the user's capability.
    """
    run = run or latest_screening(site)
    if run is None:
        return {}
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for c in ScreeningCandidate.objects.filter(run=run).only(
        "body_id", "person_id", "lr", "log10_lr", "inconsistent", "per_marker", "rank"
    ):
        out[(c.body_id, c.person_id)] = {
            "lr": c.lr,
            "log10_lr": c.log10_lr,
            "inconsistent": c.inconsistent,
            "per_marker": c.per_marker,
            "rank": c.rank,
            "run": run.pk,
        }
    return out

"""Candidate lists for the simulated scenario (runs after exhumations and missing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.identification import services

if TYPE_CHECKING:
    from imena.core.scenario import ScenarioContext


def load_scenario(context: ScenarioContext) -> None:
    from imena.exhumations.models import Body

    for site in context.sites.values():
        if not Body.objects.filter(grave__site=site).exists():
            continue
        run, result = services.candidates_compute(actor=context.actor, site=site)
        # The evaluation command reads the in-memory result instead of recomputing.
        context.__dict__.setdefault("identification_results", {})[site.code] = (
            run,
            result,
        )
        context.summary["bodies with candidates"] = (
            context.summary.get("bodies with candidates", 0) + run.body_count
        )

"""DNA screening and candidate lists for the simulated scenario.

Runs after exhumations and missing: each site is screened first (a scenario of
several sites: one national screening), then its candidates are computed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from imena.exhumations.models import Body
from imena.identification import services

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext


#: Demo screening parameters.  Drop-out 0.05 lets the degraded samples of the
#: simulation (false homozygotes) keep their true family instead of an LR of 0.
DEMO_PARAMETERS = {"threshold": 1e4, "top_k": 5, "dropout": 0.05, "theta": 0.0}


def load_scenario(context: ScenarioContext) -> None:
    if not context.compute:
        return  # a data-only load (``imena demo --national`` without --compute)
    load_screenings(context)
    load_candidates(context)


def load_screenings(context: ScenarioContext) -> None:
    """Screen each site, or (several sites: a national scenario) all sites in
    one national screening, which reads every family once."""
    actor = context.users.get("dna") or context.actor
    runs = candidates = 0
    if len(context.sites) > 1:
        try:
            run = services.screening_run_national(
                actor=actor,
                organisation=context.organisation,
                **DEMO_PARAMETERS,  # type: ignore[arg-type]
            )
        except ValidationError:
            pass  # no PM profiles or no families
        else:
            runs, candidates = 1, run.candidates
        context.summary["dna_screenings"] = runs
        context.summary["dna_candidates"] = candidates
        return
    for site in context.sites.values():
        try:
            run = services.screening_run(actor=actor, site=site, **DEMO_PARAMETERS)  # type: ignore[arg-type]
        except ValidationError:
            continue  # no PM profiles or no families for this site
        runs += 1
        candidates += run.candidates
    context.summary["dna_screenings"] = runs
    context.summary["dna_candidates"] = candidates


def load_candidates(context: ScenarioContext) -> None:
    sites = [
        site
        for site in context.sites.values()
        if Body.objects.filter(grave__site=site).exists()
    ]
    if not sites:
        return
    # The persons and the DNA LRs are read and computed once for all sites.
    shared = services.shared_inputs(context.organisation, sites)
    for site in sites:
        run, result = services.candidates_compute(
            actor=context.actor, site=site, shared=shared
        )
        # The evaluation command reads the in-memory result instead of recomputing.
        context.__dict__.setdefault("identification_results", {})[site.code] = (
            run,
            result,
        )
        context.summary["bodies with candidates"] = (
            context.summary.get("bodies with candidates", 0) + run.body_count
        )

"""The demo's DNA part: screen each site once exhumations and missing are loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from imena.core.scenario import ScenarioContext

#: Demo screening parameters.  Drop-out 0.05 lets the degraded samples of the
#: simulation (false homozygotes) keep their true family instead of an LR of 0.
DEMO_PARAMETERS = {"threshold": 1e4, "top_k": 5, "dropout": 0.05, "theta": 0.0}


def load_scenario(context: ScenarioContext) -> None:
    from imena.dna.services import screening_run

    actor = context.users.get("dna") or context.actor
    runs = candidates = 0
    for site in context.sites.values():
        try:
            run = screening_run(actor=actor, site=site, **DEMO_PARAMETERS)
        except ValidationError:
            continue  # no PM profiles or no families for this site
        runs += 1
        candidates += run.candidates
    context.summary["dna_screenings"] = runs
    context.summary["dna_candidates"] = candidates

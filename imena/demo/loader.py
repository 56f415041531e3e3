"""Loading a simulated scenario (``imena simulate`` output) into the database.

The burials app loads sites and graves; every other app that has a
``<app>.scenario.load_scenario(context)`` function loads its part, in the
order of INSTALLED_APPS.
"""

from __future__ import annotations

from django.db import transaction

from imena.core.hooks import app_hooks
from imena.lib.scenario import ScenarioContext


@transaction.atomic
def load_scenario(context: ScenarioContext) -> dict[str, int]:
    for loader in app_hooks("scenario", "load_scenario"):
        loader(context)
    return context.summary

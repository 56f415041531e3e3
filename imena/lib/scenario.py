"""Loading a simulated scenario (``imena simulate`` output) into the database.

The burials app loads sites and graves; every other app that has a
``<app>.scenario.load_scenario(context)`` function loads its part, in the
order of INSTALLED_APPS, sharing the records created so far through the
context. The demo (``imena.demo``) and the evaluation commands call
:func:`load_scenario`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from imena.core.hooks import app_hooks
from imena.lib.bulk import Progress, progress_bar

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.burials.models import Grave, Site


@dataclass
class ScenarioContext:
    directory: Path
    organisation: Organisation
    actor: User | None
    users: dict[str, User] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    # (site code, marker as written) -> grave; several graves may share a marker.
    graves_by_marker: dict[tuple[str, str], Grave] = field(default_factory=dict)
    graves_by_ref: dict[tuple[str, str], Grave] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)
    # A progress bar per loading step on stderr (``imena demo``).
    progress: bool = False
    # Run the computations (DNA screening, candidate lists) after loading.
    compute: bool = True

    def bar(self, label: str) -> Progress | None:
        """A progress bar for one loading step, or None when quiet."""
        return progress_bar(label) if self.progress else None

    def read_json(self, relative: str) -> Any:
        path = self.directory / relative
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_scenario(context: ScenarioContext) -> dict[str, int]:
    """Each app loads its part in turn; with ``progress``, a bar of the steps."""
    loaders = app_hooks("scenario", "load_scenario")
    steps = context.bar("Loading the scenario") if len(loaders) > 1 else None
    for done, loader in enumerate(loaders):
        if steps is not None:
            steps(done, len(loaders))
        loader(context)
    if steps is not None:
        steps(len(loaders), len(loaders))
    return context.summary

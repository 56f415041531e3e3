"""Loading a simulated scenario (``imena simulate`` output) into the database.

The burials app loads sites and graves; every other app that has a
``<app>.scenario.load_scenario(context)`` function loads its part, in the
order of INSTALLED_APPS.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction

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

    def read_json(self, relative: str) -> Any:
        path = self.directory / relative
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_scenario(context: ScenarioContext) -> dict[str, int]:
    for config in apps.get_app_configs():
        if not config.name.startswith("imena.") or config.name == "imena.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.scenario")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.scenario":
                raise
            continue
        loader = getattr(module, "load_scenario", None)
        if loader is not None:
            loader(context)
    return context.summary

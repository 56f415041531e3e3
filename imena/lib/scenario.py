"""The context each app's scenario loader receives (see ``imena.demo.loader``).

An app loads its part of a simulated scenario (``imena simulate`` output) by
defining ``<app>.scenario.load_scenario(context)``; the loaders share the
records created so far through this context.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    # A progress bar per loading step on stderr (``imena demo --national``).
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

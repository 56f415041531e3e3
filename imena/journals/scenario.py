"""The journals of a simulated scenario, imported and reconciled like real files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.journals import services

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext

# File in the scenario -> the journal's name in Imena.
SCENARIO_JOURNALS = {
    "funeral_home.csv": "Журнал ритуальної служби (funeral home)",
    "volunteers.csv": "Журнал волонтерів-поховальників (volunteers)",
}


def load_scenario(context: ScenarioContext) -> None:
    """The one-site layout (``journals/*.csv``, the first site) or the national
    one (``journals/<SITE>/*.csv`` per site); each site is reconciled."""
    folder = context.directory / "journals"
    if not folder.is_dir() or not context.sites:
        return
    plan = []
    for code, site in context.sites.items():
        if (folder / code).is_dir():
            plan.append((site, folder / code))
    if not plan:
        # The simulated one-site journals cover the first (the forest) site.
        plan = [(next(iter(context.sites.values())), folder)]
    bar = context.bar("journals (sites)")
    rows = people = conflicts = 0
    for done, (site, site_folder) in enumerate(plan, start=1):
        site_rows = 0
        for file_name, journal_name in SCENARIO_JOURNALS.items():
            path = site_folder / file_name
            if not path.exists():
                continue
            journal = services.journal_get_or_create(
                actor=context.actor, site=site, name=journal_name
            )
            result = services.journal_import(
                actor=context.actor, journal=journal, path=path, filename=file_name
            )
            site_rows += result.source_import.row_count
        if site_rows:
            run = services.reconcile_site(actor=context.actor, site=site)
            rows += site_rows
            people += run.cluster_count
            conflicts += run.conflict_count
        if bar:
            bar(done, len(plan))
    if rows:
        context.summary["journal rows"] = rows
        context.summary["reconciled people"] = people
        context.summary["journal conflicts"] = conflicts

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
    folder = context.directory / "journals"
    if not folder.is_dir() or not context.sites:
        return
    # The simulated journals cover the first (the forest) site.
    site = next(iter(context.sites.values()))
    rows = 0
    for file_name, journal_name in SCENARIO_JOURNALS.items():
        path = folder / file_name
        if not path.exists():
            continue
        journal = services.journal_get_or_create(
            actor=context.actor, site=site, name=journal_name
        )
        result = services.journal_import(
            actor=context.actor, journal=journal, path=path, filename=file_name
        )
        rows += result.source_import.row_count
    if rows:
        run = services.reconcile_site(actor=context.actor, site=site)
        context.summary["journal rows"] = rows
        context.summary["reconciled people"] = run.cluster_count
        context.summary["journal conflicts"] = run.conflict_count

from __future__ import annotations

from typing import Any

from imena.core.commands import ImenaCommand


class Command(ImenaCommand):
    help = (
        "Import data: `import journal FILE --site SITE --journal NAME`, "
        "`import site FILE`, `import profiles FILE --kind pm|reference`, "
        "`import lineage-table FILE --kind ystr|mtdna`, "
        "`import survey FILE --site SITE --user NAME --reason TEXT`."
    )
    subcommands = {
        "journal": (
            "imena.journals.commands",
            "add_import_journal_arguments",
            "import_journal",
        ),
        "site": ("imena.reports.commands", "add_import_site_arguments", "import_site"),
        "survey": (
            "imena.burials.commands",
            "add_import_survey_arguments",
            "import_survey",
        ),
        "profiles": (
            "imena.identification.dna_commands",
            "add_import_profiles_arguments",
            "import_profiles",
        ),
        "lineage-table": (
            "imena.dna.commands",
            "add_import_lineage_table_arguments",
            "import_lineage_table",
        ),
    }

    def add_arguments(self, parser: Any) -> None:
        self.add_subcommands(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_subcommand(options)

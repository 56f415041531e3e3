from __future__ import annotations

from typing import Any

from imena.core.commands import ImenaCommand


class Command(ImenaCommand):
    help = (
        "Score Imena against a simulated scenario's truth, in a temporary database: "
        "`evaluate journals DIR`, `evaluate identification DIR`."
    )
    subcommands = {
        "journals": (
            "imena.journals.commands",
            "add_evaluate_journals_arguments",
            "evaluate_journals",
        ),
        "identification": (
            "imena.identification.commands",
            "add_evaluate_arguments",
            "evaluate_identification",
        ),
    }

    def add_arguments(self, parser: Any) -> None:
        self.add_subcommands(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_subcommand(options)

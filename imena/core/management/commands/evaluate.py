from __future__ import annotations

import importlib
from typing import Any

from imena.core.commands import ImenaCommand

SUBCOMMANDS = {
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


class Command(ImenaCommand):
    help = (
        "Score Imena against a simulated scenario's truth, in a temporary database: "
        "`evaluate journals DIR`, `evaluate identification DIR`."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, (module, add, _run) in SUBCOMMANDS.items():
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError:
                continue
            if hasattr(mod, add):
                getattr(mod, add)(sub.add_parser(name))

    def handle(self, *args: Any, **options: Any) -> None:
        module, _add, run = SUBCOMMANDS[options["what"]]
        getattr(importlib.import_module(module), run)(options, self.stdout)

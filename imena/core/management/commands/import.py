from __future__ import annotations

import importlib
from typing import Any

from imena.core.commands import ImenaCommand

# sub-command -> (module, function adding arguments, function running it)
SUBCOMMANDS = {
    "journal": (
        "imena.journals.commands",
        "add_import_journal_arguments",
        "import_journal",
    ),
    "site": ("imena.reports.commands", "add_import_site_arguments", "import_site"),
}


class Command(ImenaCommand):
    help = "Import data: `import journal FILE --site SITE --journal NAME`, `import site FILE`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, (module, add, _run) in SUBCOMMANDS.items():
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError:
                continue
            if hasattr(mod, add):
                getattr(mod, add)(
                    sub.add_parser(name, help=(mod.__doc__ or "").strip())
                )

    def handle(self, *args: Any, **options: Any) -> None:
        module, _add, run = SUBCOMMANDS[options["what"]]
        getattr(importlib.import_module(module), run)(options, self.stdout)

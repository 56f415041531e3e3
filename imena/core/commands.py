"""Base class for Imena's management commands: errors are one line, no traceback."""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imena.accounts.models import Organisation


class OneLineParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            sys.exit(2)
        raise CommandError(f"Error: {message}")


class ImenaCommand(BaseCommand):
    """A management command whose argument errors print one line and exit 2."""

    # For commands made of sub-commands that live in several apps:
    # name -> (module, function adding its arguments, function running it).
    subcommands: dict[str, tuple[str, str, str]] = {}

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Sub-parsers made later from this parser take its class too.
        parser.__class__ = OneLineParser
        return parser

    def add_subcommands(self, parser: Any) -> None:
        """Add each sub-command whose app provides it."""
        sub = parser.add_subparsers(dest="subcommand_name", required=True)
        for name, (module, add, _run) in self.subcommands.items():
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError:
                continue
            if hasattr(mod, add):
                getattr(mod, add)(sub.add_parser(name))

    def run_subcommand(self, options: dict[str, Any]) -> None:
        module, _add, run = self.subcommands[options["subcommand_name"]]
        getattr(importlib.import_module(module), run)(options, self.stdout)


def organisation_by_code(code: str) -> Organisation:
    """The organisation a command's ``--organisation CODE`` names, or a one-line error."""
    try:
        return Organisation.objects.get(code=code)
    except Organisation.DoesNotExist:
        raise CommandError(f"no organisation with code {code!r}") from None

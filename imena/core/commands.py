"""Base class for Imena's management commands: errors are one line, no traceback."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser


class OneLineParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            sys.exit(2)
        raise CommandError(f"Error: {message}")


class ImenaCommand(BaseCommand):
    """A management command whose argument errors print one line and exit 2."""

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Sub-parsers made later from this parser take its class too.
        parser.__class__ = OneLineParser
        return parser

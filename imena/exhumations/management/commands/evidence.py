from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from imena.core.commands import ImenaCommand
from imena.exhumations.services import evidence_verify


class Command(ImenaCommand):
    help = "Evidence store tools. `evidence verify` re-hashes every stored file."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Re-hash every stored evidence file; fail on changed or missing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = evidence_verify()
        for item, problem in problems:
            self.stderr.write(f"{problem}: {item.number} ({item.sha256})")
        if problems:
            names = ", ".join(f"{item.number} {problem}" for item, problem in problems)
            raise CommandError(
                f"{len(problems)} of {checked} evidence files failed verification: {names}"
            )
        self.stdout.write(f"evidence store intact: {checked} files verified")

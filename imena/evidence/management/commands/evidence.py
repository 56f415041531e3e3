from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from imena.core.commands import ImenaCommand
from imena.core.stored_files import verify_stored_files


class Command(ImenaCommand):
    help = (
        "Evidence store tools. `evidence verify` re-hashes every stored file "
        "(evidence, ante-mortem photos, ODK XML and attachments) and checks it "
        "against its row and its creation audit entry."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Re-hash every stored file; fail on changed, missing or unaudited.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_stored_files()
        for f, problem in problems:
            self.stderr.write(f"{problem}: {f.label} ({f.sha256})")
        if problems:
            names = ", ".join(f"{f.label} {problem}" for f, problem in problems)
            raise CommandError(
                f"{len(problems)} of {checked} stored files failed verification: {names}"
            )
        self.stdout.write(f"evidence store intact: {checked} files verified")

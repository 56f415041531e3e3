from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from imena.audit.services import audit_verify
from imena.core.commands import ImenaCommand


class Command(ImenaCommand):
    help = "Audit log tools. `audit verify` walks the hash chain."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="Recompute every entry's hash and check the chain."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at entry #{result.bad_seq}: {result.reason}"
            )
        self.stdout.write(
            f"audit chain intact: {result.count} entries, head {result.head_hash}"
        )

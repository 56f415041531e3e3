"""``imena families notify``: e-mail families whose case has news (run by cron)."""

from __future__ import annotations

from typing import Any

from imena.core.commands import ImenaCommand
from imena.families.notify import case_notifications_send


class Command(ImenaCommand):
    help = (
        "Families' online reports: `notify` e-mails each family that asked for it "
        "when its case's status changed (no personal data in the message; run it "
        "from cron, e.g. every 15 minutes)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("notify", help="E-mail families whose case changed status.")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = case_notifications_send()
        self.stdout.write(f"families notified: {sent}")

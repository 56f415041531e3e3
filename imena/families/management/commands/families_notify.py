"""``imena families_notify``: e-mail families whose case has news (run by cron)."""

from __future__ import annotations

from typing import Any

from imena.core.commands import ImenaCommand
from imena.families.notify import case_notifications_send


class Command(ImenaCommand):
    help = (
        "E-mail each family that asked for it when its case's status changed "
        "(no personal data in the message)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = case_notifications_send()
        self.stdout.write(f"families notified: {sent}")

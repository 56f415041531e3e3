from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from imena.core.backup import BackupError, backup_restore
from imena.core.commands import ImenaCommand


class Command(ImenaCommand):
    help = (
        "Restore a backup made by `imena backup` into an empty database and "
        "evidence store, after checking every part; then verify the audit chain "
        "and the evidence store."
    )
    # The database may not have a single table yet.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path, help="The backup folder.")
        parser.add_argument(
            "--identity",
            help="age secret key file (default IMENA_BACKUP_IDENTITY_FILE); a "
            "passphrase backup reads IMENA_BACKUP_PASSPHRASE.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(
                folder=options["folder"],
                identity_file=options["identity"],
                say=self.stdout.write,
            )
        except BackupError as e:
            raise CommandError(str(e)) from None
        head = result.audit_head
        self.stdout.write(
            f"restored: {sum(result.counts.values())} rows in {len(result.counts)} "
            f"tables, {result.files} evidence files, audit head #{head['seq']} "
            f"{head['hash']}"
        )
        call_command("audit", "verify", stdout=self.stdout, stderr=self.stderr)
        call_command("evidence", "verify", stdout=self.stdout, stderr=self.stderr)

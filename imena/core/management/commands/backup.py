from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from imena.core.backup import BackupError, backup_create
from imena.core.commands import ImenaCommand


class Command(ImenaCommand):
    help = (
        "Write an encrypted backup: a consistent copy of the database, every file "
        "of the evidence store, and a manifest (SHA-256 of every file, audit chain "
        "head, software version). Encrypted to IMENA_BACKUP_RECIPIENT (age) or "
        "with IMENA_BACKUP_PASSPHRASE."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help="A new or empty folder."
        )
        parser.add_argument(
            "--insecure-plaintext",
            action="store_true",
            help="Write the backup unencrypted (only for a test copy).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(
                out=options["out"],
                insecure_plaintext=options["insecure_plaintext"],
                say=self.stdout.write,
            )
        except BackupError as e:
            raise CommandError(str(e)) from None
        head = result.audit_head
        self.stdout.write(
            f"backup written to {result.folder}: database, {result.files} evidence "
            f"files ({result.bytes} bytes), audit head #{head['seq']} {head['hash']}, "
            f"encryption {result.encryption}"
        )

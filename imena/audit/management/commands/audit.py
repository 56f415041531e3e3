from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from imena.audit.anchors import anchor_dir
from imena.audit.records import audit_verify_records
from imena.audit.services import audit_anchor, audit_verify
from imena.core.commands import ImenaCommand


class Command(ImenaCommand):
    help = (
        "Audit log tools. `audit verify` walks the keyed hash chain and compares "
        "it with the anchors; `audit anchor` writes the signed head outside the "
        "database."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Recompute every entry's HMAC, check the chain and the anchors.",
        )
        verify.add_argument(
            "--anchors",
            metavar="DIR",
            type=Path,
            help="anchor folder to compare with (default: IMENA_AUDIT_ANCHOR_DIR "
            "when it holds anchors; with --anchors, a folder without anchors fails)",
        )
        verify.add_argument(
            "--records",
            action="store_true",
            help="also compare every audited record with the state its newest "
            "audit entry recorded (reports table, row and field)",
        )
        anchor = sub.add_parser(
            "anchor", help="Append the signed chain head to the anchor folder."
        )
        anchor.add_argument(
            "--dir",
            metavar="DIR",
            type=Path,
            help="anchor folder (default: IMENA_AUDIT_ANCHOR_DIR)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            try:
                path, anchor = audit_anchor(directory=options["dir"])
            except OSError as e:
                raise CommandError(f"cannot write the anchor: {e}") from None
            self.stdout.write(
                f"anchored entry #{anchor.seq}, head {anchor.hash}, in {path}"
            )
            return
        explicit = options["anchors"]
        result = audit_verify(
            explicit or anchor_dir(), require_anchors=explicit is not None
        )
        if not result.ok:
            where = f" at entry #{result.bad_seq}" if result.bad_seq else ""
            raise CommandError(f"audit chain broken{where}: {result.reason}")
        self.stdout.write(
            f"audit chain intact: {result.count} entries, head {result.head_hash}"
        )
        if result.anchors:
            self.stdout.write(
                f"consistent with {result.anchors} anchors (newest #{result.newest_anchor})"
            )
        if options["records"]:
            records = audit_verify_records()
            bad = records.mismatches or []
            for mismatch in bad:
                self.stderr.write(str(mismatch))
            summary = f"records: {records.checked} checked, {len(bad)} differ"
            if bad:
                raise CommandError(summary)
            self.stdout.write(summary)

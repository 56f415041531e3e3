from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError

from imena.core.commands import ImenaCommand
from imena.core.stored_files import verify_stored_files
from imena.evidence.services import evidence_tmp_sweep

SWEEP_DEFAULT_HOURS = 24.0


class Command(ImenaCommand):
    help = (
        "Evidence store tools. `evidence verify` re-hashes every stored file "
        "(evidence, ante-mortem photos, ODK XML and attachments) and checks it "
        "against its row and its creation audit entry. `evidence sweep-tmp` "
        "removes copies left in the store's temporary folders by uploads whose "
        "transaction rolled back."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Re-hash every stored file; fail on changed, missing or unaudited.",
        )
        sweep = sub.add_parser(
            "sweep-tmp",
            help=(
                "Remove files older than --older-than hours from the store's tmp/ "
                "folders (never the store itself); audited."
            ),
        )
        sweep.add_argument(
            "--older-than",
            type=float,
            default=SWEEP_DEFAULT_HOURS,
            metavar="HOURS",
            help="Only files last written this many hours ago or earlier "
            f"(default {SWEEP_DEFAULT_HOURS:g}, at least 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep-tmp":
            self._sweep(options["older_than"])
            return
        checked, problems = verify_stored_files()
        for f, problem in problems:
            self.stderr.write(f"{problem}: {f.label} ({f.sha256})")
        if problems:
            names = ", ".join(f"{f.label} {problem}" for f, problem in problems)
            raise CommandError(
                f"{len(problems)} of {checked} stored files failed verification: {names}"
            )
        self.stdout.write(f"evidence store intact: {checked} files verified")

    def _sweep(self, hours: float) -> None:
        if not hours >= 1:
            raise CommandError("--older-than must be at least 1 hour")
        swept = evidence_tmp_sweep(older_than=dt.timedelta(hours=hours))
        for f in swept:
            self.stdout.write(
                f"removed {f.path} ({f.size} bytes, {f.age_hours:g} h old)"
            )
        total = sum(f.size for f in swept)
        self.stdout.write(
            f"swept {len(swept)} temporary files ({total} bytes) older than {hours:g} h"
        )

"""The DNA part of `imena import`: `imena import profiles FILE --kind pm|reference`.

Here rather than in the dna app because it links profiles to exhumation and
family reference samples (``identification.bulk``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from imena.core.commands import organisation_by_code
from imena.dna.uploads import ProfileFileError, parse_profile_file
from imena.identification.bulk import dna_profiles_bulk_upload
from imena.lib.bulk import error_text, progress_bar


def add_import_profiles_arguments(parser: Any) -> None:
    parser.add_argument(
        "file", help="GeneMapper-style CSV or dvi-examples JSON (pm or am part)"
    )
    parser.add_argument(
        "--kind",
        required=True,
        choices=["pm", "reference"],
        help="pm: post-mortem profiles of exhumation samples; reference: of "
        "family reference samples (active consent)",
    )
    parser.add_argument("--organisation", default="demo", help="organisation code")
    parser.add_argument(
        "--max-mb", type=int, default=None, help="file size limit (default: setting)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def import_profiles(options: dict[str, Any], stdout: Any) -> None:
    org = organisation_by_code(options["organisation"])
    path = Path(options["file"])
    kind = options["kind"]
    started = time.perf_counter()
    try:
        with path.open("rb") as handle:
            parsed = parse_profile_file(
                handle,
                filename=path.name,
                max_bytes=options["max_mb"] * 1_000_000 if options["max_mb"] else None,
                parts=("pm",) if kind == "pm" else ("am",),
            )
    except OSError as e:
        raise CommandError(f"cannot read {path}: {e.strerror}") from None
    except ProfileFileError as e:
        raise CommandError(str(e)) from None
    try:
        result = dna_profiles_bulk_upload(
            actor=None,
            organisation=org,
            kind=kind,
            profiles=parsed.profiles,
            source_format=parsed.source_format,
            source_sha256=parsed.sha256,
            source=path.name,
            progress=None if options["no_progress"] else progress_bar("profiles"),
        )
    except ValidationError as e:
        raise CommandError(error_text(e)) from None
    seconds = time.perf_counter() - started
    n = len(result.profiles)
    for warning in parsed.warnings[:20]:
        stdout.write(f"  warning: {warning}")
    stdout.write(
        f"Stored {n} {kind} profiles from {path.name} in {seconds:.1f} s "
        f"({n / max(seconds, 1e-6):.0f}/s), {result.audit_entries} audited batches."
    )

"""`imena import site FILE.json --organisation CODE`, run by imena.core's `import`.

Re-imports a site exported with `imena export site`, all or nothing. The
organisation is created when it does not exist (an empty database).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from imena.reports.sitejson import ImportRefused, site_import


def add_import_site_arguments(parser: Any) -> None:
    parser.add_argument("file", help="the .json file written by `imena export site`")
    parser.add_argument("--organisation", required=True, help="organisation code")


def import_site(options: dict[str, Any], stdout: Any) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        result = site_import(path=path, organisation_code=options["organisation"])
    except ImportRefused as e:
        raise CommandError(f"nothing imported: {e}") from None
    total = sum(result.counts.values())
    created = " (organisation created)" if result.organisation_created else ""
    stdout.write(
        f"imported site {result.site.code} into {result.organisation.code}{created}: "
        f"{total} records ("
        + ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
        + ")"
    )

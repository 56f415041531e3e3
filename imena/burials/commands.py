"""`imena import survey FILE.csv --site CODE --user NAME --reason TEXT` (#17).

Run by imena.core's `import`: grave positions from a site survey, all or
nothing, each correction audited under the named user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from imena.accounts.models import User
from imena.burials.models import Site
from imena.burials.services import grave_positions_import
from imena.burials.survey import SurveyError, parse_survey


def add_import_survey_arguments(parser: Any) -> None:
    parser.add_argument("file", help="CSV: grave,lat,lon (WGS84 decimal degrees)")
    parser.add_argument("--site", required=True, help="site code or id")
    parser.add_argument(
        "--organisation", help="organisation code (when site codes repeat)"
    )
    parser.add_argument(
        "--user", required=True, help="username the changes are audited under"
    )
    parser.add_argument("--reason", required=True, help="why the positions change")
    parser.add_argument(
        "--epsg",
        type=int,
        help="EPSG code of easting/northing columns (e.g. 32637 for UTM zone 37N)",
    )


def _site(code: str, organisation: str | None) -> Site:
    sites = Site.objects.filter(code=code)
    if code.isdigit():
        sites = Site.objects.filter(pk=int(code)) | sites
    if organisation:
        sites = sites.filter(organisation__code=organisation)
    found = list(sites[:2])
    if not found:
        raise CommandError(f"no site {code!r}")
    if len(found) > 1:
        raise CommandError(
            f"site code {code!r} is used by several organisations: add --organisation"
        )
    return found[0]


def import_survey(options: dict[str, Any], stdout: Any) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    site = _site(options["site"], options.get("organisation"))
    try:
        actor = User.objects.get(
            username=options["user"], organisation_id=site.organisation_id
        )
    except User.DoesNotExist:
        raise CommandError(
            f"no user {options['user']!r} in the site's organisation"
        ) from None
    try:
        rows = parse_survey(
            path.read_text(encoding="utf-8-sig"), path.name, epsg=options.get("epsg")
        )
        moves = grave_positions_import(
            actor=actor, site=site, rows=rows, reason=options["reason"]
        )
    except (SurveyError, ValidationError, UnicodeDecodeError) as e:
        message = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
        raise CommandError(f"nothing imported: {message}") from None
    changed = [m for m in moves if m.changed]
    moved = [m.moved_m for m in changed if m.moved_m is not None]
    placed = sum(1 for m in changed if m.moved_m is None)
    largest = f", largest move {max(moved):.2f} m" if moved else ""
    stdout.write(
        f"site {site.code}: {len(moves)} rows, {len(moved)} graves moved{largest}, "
        f"{placed} placed for the first time, {len(moves) - len(changed)} unchanged"
    )

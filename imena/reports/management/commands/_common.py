"""Shared by the report, export and import commands."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import CommandError

from imena.accounts.models import User
from imena.accounts.roles import can
from imena.burials.models import Site
from imena.reports.access import Audience
from imena.reports.files import ExportFile


def resolve_site(value: str, organisation: str | None) -> Site:
    """A site by code (or numeric id), optionally within one organisation."""
    sites = Site.objects.select_related("organisation")
    if organisation:
        sites = sites.filter(organisation__code=organisation)
    found = list(sites.filter(code=value)[:2])
    if not found and value.isdigit():
        found = list(sites.filter(pk=int(value))[:1])
    if not found:
        raise CommandError(f"no site with code or id {value!r}")
    if len(found) > 1:
        raise CommandError(
            f"site code {value!r} exists in several organisations: add --organisation CODE"
        )
    return found[0]


def audience(site: Site, username: str | None) -> Audience:
    """The command line has full access unless --as names a user."""
    if not username:
        return Audience(organisation_id=site.organisation_id)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    if user.organisation_id != site.organisation_id:
        raise CommandError(f"user {username!r} may not see site {site.code!r}")
    if not can(user, "report.export"):
        raise CommandError(f"user {username!r} may not export (no report.export)")
    return Audience(organisation_id=site.organisation_id, user=user)


def deliver(export: ExportFile, out: str) -> Path:
    target = Path(out)
    if not target.parent.exists():
        export.path.unlink(missing_ok=True)
        raise CommandError(f"{target.parent} does not exist")
    shutil.move(str(export.path), target)
    return target

"""Who may see reports and take exports. Every report view and command asks here.

An :class:`Audience` is whoever a report is made for: a signed-in user (whose
role decides which sections appear) or the command line (``user`` is None),
which runs with full access and is audited with the operating-system user.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require  # noqa: F401 - re-exported for views
from imena.accounts.roles import can
from imena.burials.models import Site

if TYPE_CHECKING:
    from imena.accounts.models import User


@dataclass(frozen=True)
class Audience:
    """The reader of a report: a user, or the system (command line, full access)."""

    organisation_id: int
    user: User | None = None

    def can(self, capability: str) -> bool:
        return self.user is None or can(self.user, capability)

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def name(self) -> str:
        if self.user is None:
            return f"system (OS user {os_user()})"
        return self.user.get_username()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


def audience_for(user: User) -> Audience:
    return Audience(organisation_id=user.organisation_id or 0, user=user)


def report_sites_for_user(user: User) -> QuerySet[Site]:
    """Sites whose statistics the user may read."""
    require(user, "report.view")
    return Site.objects.filter(in_organisation(user))


def report_site_for_user(
    user: User, pk: int, *, capability: str = "report.view"
) -> Site:
    """One site for a report page (report.view) or an export (report.export).

    A site of another organisation is a 404 before any role check, so an
    outsider learns nothing about it; a role without the capability is a 403.
    """
    site = get_object_or_404(
        Site.objects.select_related("organisation"),
        pk=pk,
        organisation_id=user.organisation_id,
    )
    require(user, capability)
    return site


def plan_site_for_user(user: User, pk: int) -> Site:
    """The site plan shows what the site page shows: every role may see it."""
    return report_site_for_user(user, pk, capability="site.view")

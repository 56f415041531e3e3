"""Access helpers shared by every app's access functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from imena.accounts.roles import can

if TYPE_CHECKING:
    from imena.accounts.models import User


def require(user: User, capability: str) -> None:
    """Raise PermissionDenied unless the user holds the capability."""
    if not can(user, capability):
        raise PermissionDenied(_("Your role does not allow this."))


def organisation_id(user: User) -> int | None:
    """The organisation whose records the user may see; None sees nothing."""
    return user.organisation_id if user.is_authenticated else None


def in_organisation(user: User, via: str = "") -> Q:
    """The records of the user's organisation, reached through the relation path
    ``via`` (``"site"``, ``"journal__site"``) or on the record itself.

    One filter for every access function; a ``Q`` because ``organisation_id``
    of a user may be empty (then it matches ``organisation IS NULL``: nothing,
    for records that always have one).
    """
    lookup = f"{via}__organisation_id" if via else "organisation_id"
    return Q(**{lookup: user.organisation_id})

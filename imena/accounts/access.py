"""Access helpers shared by every app's access functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
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

"""Request types for views that only signed-in users reach."""

from __future__ import annotations

from django.http import HttpRequest

from imena.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a ``@login_required`` view: ``user`` is never anonymous."""

    user: User

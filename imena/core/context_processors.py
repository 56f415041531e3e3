from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from imena.accounts.roles import CAPABILITIES, can


def imena(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_imena": {}}
    return {"perms_imena": {c.replace(".", "_"): can(user, c) for c in CAPABILITIES}}

"""Sections that apps add to the grave page, without the burials app knowing them.

An app contributes by defining ``<app>.panels.grave_panel(request, grave)``
returning HTML (or None when the user may not see it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

from imena.core.hooks import app_hooks

if TYPE_CHECKING:
    from django.http import HttpRequest


def grave_panels(request: HttpRequest, grave: Any) -> list[SafeString]:
    out = []
    for provider in app_hooks("panels", "grave_panel"):
        html = provider(request, grave)
        if html:
            out.append(mark_safe(html))  # noqa: S308 - rendered by app templates
    return out

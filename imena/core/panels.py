"""Sections that apps add to the grave page, without the burials app knowing them.

An app contributes by defining ``<app>.panels.grave_panel(request, grave)``
returning HTML (or None when the user may not see it).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest


@cache
def _providers(hook: str) -> tuple[Callable[..., Any], ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("imena."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.panels")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.panels":
                raise
            continue
        func = getattr(module, hook, None)
        if func is not None:
            found.append(func)
    return tuple(found)


def grave_panels(request: HttpRequest, grave: Any) -> list[SafeString]:
    out = []
    for provider in _providers("grave_panel"):
        html = provider(request, grave)
        if html:
            out.append(mark_safe(html))  # noqa: S308 - rendered by app templates
    return out


def site_panels(request: HttpRequest, site: Any) -> list[SafeString]:
    out = []
    for provider in _providers("site_panel"):
        html = provider(request, site)
        if html:
            out.append(mark_safe(html))  # noqa: S308
    return out

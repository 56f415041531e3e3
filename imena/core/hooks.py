"""Functions that Imena's apps offer each other by convention, found by name.

An app offers a hook by defining ``<app>.<module>.<function>``; the core app
itself offers none, so its own modules of the same name are never taken.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps


@cache
def app_hooks(module_name: str, function_name: str) -> tuple[Callable[..., Any], ...]:
    """Each app's ``<module_name>.<function_name>``, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("imena.") or config.name == "imena.core":
            continue
        target = f"{config.name}.{module_name}"
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as e:
            if e.name != target:
                raise
            continue
        func = getattr(module, function_name, None)
        if func is not None:
            found.append(func)
    return tuple(found)

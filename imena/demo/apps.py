from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and the simulated-scenario loader: the top layer, above every app."""

    name = "imena.demo"

from __future__ import annotations

from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "imena.missing"

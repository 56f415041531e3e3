from __future__ import annotations

from django.apps import AppConfig


class ExhumationsConfig(AppConfig):
    name = "imena.exhumations"

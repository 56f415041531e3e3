from __future__ import annotations

from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "imena.families"

from __future__ import annotations

from django.apps import AppConfig


class JournalsConfig(AppConfig):
    name = "imena.journals"

from __future__ import annotations

from django.apps import AppConfig


class DnaConfig(AppConfig):
    name = "imena.dna"

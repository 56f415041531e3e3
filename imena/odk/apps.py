from __future__ import annotations

from django.apps import AppConfig


class OdkConfig(AppConfig):
    name = "imena.odk"

    def ready(self) -> None:
        from imena.odk import signals

        signals.connect()

from __future__ import annotations

from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "imena.identification"

    def ready(self) -> None:
        from imena.burials import names
        from imena.identification import changes
        from imena.identification import names as identified

        names.register_searcher(identified.grave_search)
        names.register_namer(identified.grave_names, rank=10)
        changes.connect()

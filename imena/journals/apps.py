from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalsConfig(AppConfig):
    name = "imena.journals"
    verbose_name = _("Burial journals")

    def ready(self) -> None:
        from imena.burials import names
        from imena.journals import names as journal_names

        names.register_searcher(journal_names.grave_search)
        names.register_namer(journal_names.grave_names, rank=20)

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "imena.core"
    verbose_name = _("Imena")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from imena.core.collation import register_sqlite_collation

        connection_created.connect(
            register_sqlite_collation, dispatch_uid="imena-uk-collation"
        )

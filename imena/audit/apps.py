from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "imena.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Importing the module registers the deploy check (Django's idiom: in
        # ready(), once the app registry is loaded).
        from imena.audit import checks  # noqa: F401

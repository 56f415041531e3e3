from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "imena.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from imena.audit import checks  # noqa: F401 - registers the deploy check

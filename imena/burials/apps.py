from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BurialsConfig(AppConfig):
    name = "imena.burials"
    verbose_name = _("Burial sites and graves")

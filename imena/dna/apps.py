from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DnaConfig(AppConfig):
    name = "imena.dna"
    verbose_name = _("DNA profiles")

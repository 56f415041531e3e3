from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalsConfig(AppConfig):
    name = "imena.journals"
    verbose_name = _("Burial journals")

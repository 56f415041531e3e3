from __future__ import annotations

from django.apps import AppConfig


class OdkConfig(AppConfig):
    name = "imena.odk"

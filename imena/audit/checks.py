from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register

from imena.audit import keys


@register(Tags.security, deploy=True)
def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if keys.key_configured():
        return []
    return [
        Warning(
            "IMENA_AUDIT_KEY is not set (or is the example value): the audit chain "
            "is keyed with the public development key, so anyone who can write the "
            "database can rewrite it.",
            hint="Set IMENA_AUDIT_KEY or IMENA_AUDIT_KEY_FILE (docs/audit.md).",
            id="imena.audit.W001",
        )
    ]

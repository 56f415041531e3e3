"""What must hold before Imena serves requests.

``config/wsgi.py`` imports this module before Django loads the apps, so it
imports no models (the health of a running server is :mod:`imena.core.health`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from imena.audit import keys


def config_problems() -> list[str]:
    """Reasons the configuration is unfit to serve, one line each.

    With DEBUG on (a developer's machine) nothing is refused.
    """
    if settings.DEBUG:
        return []
    problems = []
    if not settings.SECRET_KEY or settings.SECRET_KEY in settings.EXAMPLE_SECRET_KEYS:
        problems.append(
            "SECRET_KEY is unset or the example value: set a long random secret "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    if not settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty: list the host names Imena answers to")
    if not keys.key_configured():
        problems.append(
            "IMENA_AUDIT_KEY is unset or the example value: set a long random "
            "secret kept outside the database (or IMENA_AUDIT_KEY_FILE); "
            "see docs/audit.md"
        )
    if not str(getattr(settings, "IMENA_FAMILY_LIAISON_CONTACT", "")).strip():
        # Families are told whom to contact; a page without an address or phone
        # leaves them nowhere to go.
        problems.append(
            "IMENA_FAMILY_LIAISON_CONTACT is empty: give the office, address and "
            "phone that families are told to contact"
        )
    return problems


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the database."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def refuse_unsafe_start() -> None:
    """Raise with a one-line reason when the server must not start."""
    problems = config_problems()
    if problems:
        raise ImproperlyConfigured("refusing to serve: " + problems[0])

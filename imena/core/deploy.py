"""What must hold before Imena serves requests, and the health of a running one."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

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
    return problems


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def refuse_unsafe_start() -> None:
    """Raise with a one-line reason when the server must not start."""
    from django.core.exceptions import ImproperlyConfigured

    problems = config_problems()
    if problems:
        raise ImproperlyConfigured("refusing to serve: " + problems[0])


def health() -> tuple[bool, dict[str, Any]]:
    """Database reachable, evidence store writable, audit head readable."""
    checks: dict[str, Any] = {}
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as e:  # any failure is reported, never raised
        checks["database"] = f"error: {type(e).__name__}"
    try:
        root = Path(settings.EVIDENCE_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-"):
            pass
        checks["evidence_store"] = "ok"
    except Exception as e:
        checks["evidence_store"] = f"error: {type(e).__name__}"
    try:
        from imena.audit.services import audit_head_hash

        checks["audit_head"] = audit_head_hash()
    except Exception as e:
        checks["audit_head"] = f"error: {type(e).__name__}"
    ok = (
        checks["database"] == "ok"
        and checks["evidence_store"] == "ok"
        and not str(checks["audit_head"]).startswith("error")
    )
    return ok, checks

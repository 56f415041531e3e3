"""The health of a running server (``/healthz``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from imena.audit.services import audit_head_hash


def health() -> tuple[bool, dict[str, Any]]:
    """Database reachable, evidence store writable, audit head readable."""
    checks: dict[str, Any] = {}
    try:
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
        checks["audit_head"] = audit_head_hash()
    except Exception as e:
        checks["audit_head"] = f"error: {type(e).__name__}"
    ok = (
        checks["database"] == "ok"
        and checks["evidence_store"] == "ok"
        and not str(checks["audit_head"]).startswith("error")
    )
    return ok, checks

"""Test helpers for what runs beside the tests: many requests at the same
moment to a running server, and a subprocess on the test database."""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

from django.db import connection

# A CSRF secret used as cookie and header alike (Django accepts the unmasked form).
CSRF = "racecsrfsecret0123456789abcdefgh"


def post_at_once(
    url: str, fields: dict[str, str], *, session: str, n: int = 20
) -> list[int]:
    """POST ``fields`` to ``url`` from ``n`` threads released together; the statuses."""
    parts = urlsplit(url)
    body = urlencode(fields).encode()
    barrier = threading.Barrier(n)

    def one(_: int) -> int:
        assert parts.hostname is not None
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            conn.connect()
            barrier.wait()
            conn.request(
                "POST",
                parts.path,
                body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"sessionid={session}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                },
            )
            return conn.getresponse().status
        finally:
            conn.close()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def database_env() -> dict[str, str]:
    """The test database (already migrated by pytest-django) for a subprocess's
    environment (``DATABASE_URL``, or ``SQLITE_PATH`` for SQLite); the test
    must commit what the subprocess reads (``django_db(transaction=True)``)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"DATABASE_URL": "", "SQLITE_PATH": str(s["NAME"])}
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return {"DATABASE_URL": f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"}

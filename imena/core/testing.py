"""Test helpers that need a running server: many requests at the same moment."""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

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

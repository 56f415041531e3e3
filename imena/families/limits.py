"""Abuse limits of the public report form, counted in the cache.

Fixed windows, per client address and per reporter contact (both as keyed
hashes: neither is kept in the clear). ``cache.add`` then ``cache.incr`` is
atomic on Redis and the file cache is per-host, which is all a limit needs.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from imena.missing.search import Rate, parse_rate


def _key(kind: str, value: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()
    return f"families:rate:{kind}:{digest[:32]}"


def _take(key: str, rate: Rate) -> bool:
    """Count one use in ``key``'s current window; False when it was full."""
    now = int(time.time())
    window_key = f"{key}:{now - now % rate.seconds}"
    cache.add(window_key, 0, timeout=rate.seconds + 60)
    try:
        count = cache.incr(window_key)
    except ValueError:  # expired between add and incr
        cache.set(window_key, 1, timeout=rate.seconds + 60)
        count = 1
    return count <= rate.count


def normalise_contact(value: str) -> str:
    """An e-mail in lower case, a telephone number as its digits."""
    value = (value or "").strip().lower()
    if "@" in value:
        return value
    digits = "".join(c for c in value if c.isdigit())
    return digits[-9:] if len(digits) >= 9 else value


def address_over_limit(ip: str) -> bool:
    return not _take(_key("ip", ip), parse_rate(settings.IMENA_FAMILY_REPORT_RATE))


def contact_over_limit(*contacts: str) -> bool:
    """Count one report for each contact given; True when any is over."""
    rate = parse_rate(settings.IMENA_FAMILY_REPORT_CONTACT_RATE)
    over = False
    for contact in {normalise_contact(c) for c in contacts if c and c.strip()}:
        if not _take(_key("contact", contact), rate):
            over = True
    return over

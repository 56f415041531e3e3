"""The public family search: does a report exist, and whom to contact.

It answers a yes or no and never shows anything of the record. Every search
does the same work (key lookup over all organisations, then the same checks
on the candidates) whether it finds someone or not.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from imena.missing import names
from imena.missing.models import MissingPerson, NameKey, SearchAttempt

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(value: str) -> Rate:
    """``"10/h"`` -> 10 a hour; ``"30/15m"`` -> 30 each 15 minutes."""
    m = _RATE_RE.match(value or "")
    if not m:
        raise ValueError(f"IMENA_FAMILY_SEARCH_RATE must look like 10/h, not {value!r}")
    return Rate(int(m[1]), int(m[2] or 1) * _UNITS[m[3]])


def client_key(ip: str) -> str:
    """A keyed hash of the client address: the address itself is not stored."""
    return hmac.new(
        settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256
    ).hexdigest()


def rate_limited(ip: str) -> bool:
    """Count this attempt; True when the address is over the limit."""
    rate = parse_rate(settings.IMENA_FAMILY_SEARCH_RATE)
    key = client_key(ip)
    since = timezone.now() - timedelta(seconds=rate.seconds)
    SearchAttempt.objects.filter(
        created__lt=timezone.now() - timedelta(days=2)
    ).delete()
    if (
        SearchAttempt.objects.filter(client=key, created__gte=since).count()
        >= rate.count
    ):
        return True
    SearchAttempt.objects.create(client=key)
    return False


def parse_birth(text: str) -> tuple[int, int | None, int | None] | None:
    """``1961``, ``1961-11``, ``1961-11-06``, ``06.11.1961``, ``11.1961``."""
    s = (text or "").strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", s)
    if m:
        y, mo, d = int(m[1]), m[2], m[3]
        return (y, int(mo) if mo else None, int(d) if d else None)
    m = re.fullmatch(r"(?:(\d{1,2})[./])?(\d{1,2})[./](\d{4})", s)
    if m:
        return (int(m[3]), int(m[2]), int(m[1]) if m[1] else None)
    return None


def _birth_matches(p: MissingPerson, birth: tuple[int, int | None, int | None]) -> bool:
    y, mo, d = birth
    if p.birth_year is None:
        return False
    if p.birth_year != y:
        return False
    if mo and p.birth_month and p.birth_month != mo:
        return False
    return not (d and p.birth_day and p.birth_day != d)


def find_reports(
    name: str, birth: tuple[int, int | None, int | None]
) -> list[MissingPerson]:
    """Live reports whose surname and given name both match words of ``name``
    (in any order, script or Ukrainian/Russian spelling) and whose birth date
    agrees with ``birth`` at the precision both give."""
    tokens = names.query_tokens(name)
    all_keys = set().union(*tokens) if tokens else set()
    rows = NameKey.objects.filter(key__in=sorted(all_keys)).values_list(
        "person_id", "part", "key"
    )
    found: dict[int, dict[str, set[str]]] = {}
    for person_id, part, key in rows:
        found.setdefault(person_id, {}).setdefault(part, set()).add(key)
    candidates = []
    for person_id, parts in found.items():
        fam = parts.get("f", set())
        giv = parts.get("g", set())
        # Two different words of the query must cover the surname and the given name.
        ok = any(
            (t1 & fam) and (t2 & giv)
            for i, t1 in enumerate(tokens)
            for j, t2 in enumerate(tokens)
            if i != j
        )
        if ok:
            candidates.append(person_id)
    people = MissingPerson.objects.filter(pk__in=candidates, merged_into__isnull=True)
    return [p for p in people if _birth_matches(p, birth)]

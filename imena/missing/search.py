"""The public family search: does a report exist, and whom to contact.

It answers a yes or no and never shows anything of the record. Every search
does the same work (key lookup over all organisations, then the same checks
on the candidates) whether it finds someone or not.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from imena.missing import names
from imena.missing.models import MissingPerson, NameKey, SearchCounter

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


GLOBAL_KEY = "*"


def _take(key: str, rate: Rate) -> bool:
    """Count one search in ``key``'s current window; False when it is full.

    Race-free: the increment is one conditional UPDATE; the window's first
    search creates the row, and a concurrent creator's IntegrityError falls
    back to the UPDATE."""
    now = int(timezone.now().timestamp())
    window = now - now % rate.seconds
    counters = SearchCounter.objects.filter(key=key, window=window)
    if counters.filter(count__lt=rate.count).update(count=F("count") + 1):
        return True
    if counters.exists() or rate.count < 1:
        return False
    try:
        with transaction.atomic():
            SearchCounter.objects.create(key=key, window=window, count=1)
        return True
    except IntegrityError:
        return bool(counters.filter(count__lt=rate.count).update(count=F("count") + 1))


def rate_limited(ip: str) -> bool:
    """Count this search; True when the client, or all clients together, are
    over their limit (``IMENA_FAMILY_SEARCH_RATE``,
    ``IMENA_FAMILY_SEARCH_GLOBAL_RATE``). Fixed windows of the rate's length."""
    rate = parse_rate(settings.IMENA_FAMILY_SEARCH_RATE)
    if not _take(client_key(ip), rate):
        return True
    overall = getattr(settings, "IMENA_FAMILY_SEARCH_GLOBAL_RATE", "")
    if overall and not _take(GLOBAL_KEY, parse_rate(overall)):
        return True
    if random.random() < 0.01:  # now and then, forget windows over two days old
        cutoff = int(timezone.now().timestamp()) - 2 * 86400
        SearchCounter.objects.filter(window__lt=cutoff).delete()
    return False


def client_address(meta: Mapping[str, Any]) -> str:
    """The searcher's address: ``REMOTE_ADDR``, or, behind a proxy, the
    header named by ``IMENA_CLIENT_IP_HEADER`` (its last address, the one the
    trusted proxy added). Never taken from a header that is not configured."""
    header = getattr(settings, "IMENA_CLIENT_IP_HEADER", "").strip()
    if header:
        value = str(meta.get("HTTP_" + header.upper().replace("-", "_"), ""))
        last = value.split(",")[-1].strip()
        if last:
            return last
    return str(meta.get("REMOTE_ADDR", "") or "unknown")


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


#: One person per search: a surname, a given name and perhaps a patronymic.
MIN_WORDS, MAX_WORDS = 2, 3


def query_problem(name: str, birth: tuple[int, int | None, int | None]) -> str:
    """Why a query is not a search for one person ("" when it is): two or three
    words, and a full date of birth unless the patronymic is given too."""
    count = len(names.query_tokens(name))
    if not MIN_WORDS <= count <= MAX_WORDS:
        return "words"
    if birth[2] is None and count < MAX_WORDS:
        return "patronymic"
    return ""


def find_reports(
    name: str,
    birth: tuple[int, int | None, int | None],
    *,
    consented_only: bool = True,
) -> list[MissingPerson]:
    """Live reports of ONE person: the words of ``name`` (in any order, script
    or Ukrainian/Russian spelling) match the surname, the given name and, when
    there is a third word, the patronymic, each word one part; the birth date
    agrees with ``birth`` at the precision both give. With ``consented_only``
    (the public answer) only reports whose reporter consented to being found
    (``consent_publication``). A query that is not for one person
    (:func:`query_problem`) finds nothing."""
    if query_problem(name, birth):
        return []
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
        pat = parts.get("p", set())
        # Each word of the query is a different part of this one person's name.
        wanted = (fam, giv, pat)[: len(tokens)]
        ok = any(
            all(tokens[i] & part for i, part in zip(order, wanted, strict=True))
            for order in itertools.permutations(range(len(tokens)))
        )
        if ok:
            candidates.append(person_id)
    people = MissingPerson.objects.filter(pk__in=candidates, merged_into__isnull=True)
    if consented_only:
        people = people.filter(consent_publication=True)
    return [p for p in people if _birth_matches(p, birth)]

"""One way of writing a moment: in the site's time zone, with its name.

Stored times are UTC; pages, PDFs and lists show them in ``TIME_ZONE``
(Europe/Kyiv) with the zone's abbreviation, CSV and JSON exports as ISO 8601
with the offset (``2026-12-04T15:38:00+02:00``), to the second.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_time(value: dt.datetime, *, seconds: bool = False) -> str:
    """``2026-12-04 15:38 EET``: the moment in the site's time zone, named."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    shape = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return timezone.localtime(value).strftime(shape)


def iso_time(value: dt.datetime) -> str:
    """ISO 8601 in the site's time zone with its offset, to the second."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()

"""``{{ moment|local_time }}``: a time as every page, PDF and list writes it.

In the site's time zone with the zone's name (``2026-12-04 15:38 EET``);
``{{ moment|local_time:"s" }}`` adds the seconds. Empty for no time.
"""

from __future__ import annotations

import datetime as dt

from django import template

from imena.core import times

register = template.Library()


@register.filter
def local_time(value: dt.datetime | None, precision: str = "") -> str:
    if not isinstance(value, dt.datetime):
        return ""
    return times.local_time(value, seconds=precision == "s")

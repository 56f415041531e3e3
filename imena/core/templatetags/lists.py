"""Template tags for server-side lists (see imena/lib/lists.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from imena.lib.lists import Listing

register = template.Library()


def _query(context: dict[str, Any], **changes: Any) -> str:
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], listing: Listing, number: int) -> str:
    """The current URL with the list's page set to ``number``."""
    return _query(context, **{listing.page_param: number})


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], listing: Listing, key: str, label: str) -> str:
    """A column header that sorts the list by ``key`` (again: the other way)."""
    url = _query(
        context,
        **{listing.sort_param: listing.sort_link(key), listing.page_param: None},
    )
    arrow = {"asc": " ▲", "desc": " ▼"}.get(listing.sorted_by(key), "")
    return format_html('<a href="{}">{}{}</a>', url, label, arrow)

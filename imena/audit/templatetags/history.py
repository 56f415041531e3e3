"""``{% readable_changes entry as changes %}`` and ``{{ entry|action_label }}``."""

from __future__ import annotations

from django import template

from imena.audit import history
from imena.audit.models import AuditEntry

register = template.Library()


@register.simple_tag
def readable_changes(entry: AuditEntry) -> list[history.Change]:
    return history.readable_changes(entry)


@register.filter
def action_label(entry: AuditEntry) -> str:
    return history.action_label(entry)


@register.filter
def actor_label(entry: AuditEntry) -> str:
    """Who wrote the entry, by name as the pages show people."""
    return history.actor_label(entry)

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from imena.reports.selectors import Section
from imena.reports.svg import bar_chart as draw_bar_chart

register = template.Library()


@register.simple_tag
def bar_chart(section: Section) -> SafeString:
    return draw_bar_chart(section.bars(), title=section.title)

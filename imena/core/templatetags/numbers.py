"""``{{ lr|significant:4 }}``: a number to N significant digits, as the reader writes it.

``stringformat`` always writes a decimal point; next to ``floatformat`` (which
follows the language) a Ukrainian page would mix "6.1" and "0,79".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def significant(value: Any, digits: int = 4) -> str:
    try:
        text = f"{float(value):.{int(digits)}g}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))

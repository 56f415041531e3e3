"""``{{ lr|significant:4 }}``: a number to N significant digits, as the reader writes it.

``stringformat`` always writes a decimal point; next to ``floatformat`` (which
follows the language) a Ukrainian page would mix "6.1" and "0,79".
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils import formats

register = template.Library()

#: A decimal number with one point ("6.1", "2.2e-16"), not a date ("07.02.1979")
#: nor a version or register number with several points.
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![.\d])")


@register.filter
def significant(value: Any, digits: int = 4) -> str:
    try:
        text = f"{float(value):.{int(digits)}g}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


@register.filter
def decimals(text: Any) -> str:
    """Decimal points inside a sentence written as the reader's language writes them.

    The engine's explanations are built in the pure ``matching`` package, which
    formats numbers with a point; a Ukrainian page shows "z = 1,2", not "1.2".
    Dates (two points) and other dotted codes are left alone.
    """
    sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    value = "" if text is None else str(text)
    return value if sep == "." else _DECIMAL.sub(rf"\1{sep}\2", value)

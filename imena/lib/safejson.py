"""JSON from an uploaded file, refused with a message instead of a crash
(#19 row 11): no number that is not finite (``1e999``, ``NaN``), no integer
over Python's digit limit, no nesting deeper than ``MAX_DEPTH``."""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64


class UnsafeJSON(ValueError):
    """Not JSON Imena will read; ``str()`` says why in one line."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJSON(f"the number {text[:40]} is out of range")
    return value


def _constant(name: str) -> float:
    raise UnsafeJSON(f"{name} is not a number JSON allows")


def _depth(value: Any) -> int:
    """The nesting depth, walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def loads_untrusted(text: str | bytes) -> Any:
    """Parse JSON; raise :class:`json.JSONDecodeError` for a syntax error and
    :class:`UnsafeJSON` for a hostile document."""
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_constant)
    except RecursionError:
        raise UnsafeJSON(f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError:
        raise
    except ValueError as e:  # UnsafeJSON, or an integer over the digit limit
        raise UnsafeJSON(str(e).splitlines()[0][:200]) from None
    if _depth(value) > MAX_DEPTH:
        raise UnsafeJSON(f"nested deeper than {MAX_DEPTH} levels")
    return value

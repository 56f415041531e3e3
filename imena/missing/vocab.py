"""Choice lists for the missing-person models and forms, from ``matching.vocabulary``.

Labels follow the active language (Ukrainian or English) lazily, so one list
serves model fields, forms and templates.
"""

from __future__ import annotations

import functools
from typing import Literal

from django.utils.functional import lazy
from django.utils.translation import get_language

from matching import vocabulary


def _lang() -> Literal["en", "uk"]:
    return "uk" if (get_language() or "en").startswith("uk") else "en"


def _label(key: str, code: str) -> str:
    return vocabulary.label(key, code, _lang())


lazy_label = lazy(_label, str)


def vchoices(key: str) -> list[tuple[str, str]]:
    """``[(code, lazy label), ...]`` for a vocabulary field."""
    return [(code, lazy_label(key, code)) for code in vocabulary.field(key).codes()]


@functools.cache
def codes(key: str) -> tuple[str, ...]:
    # The vocabulary is fixed at import time; bulk imports ask thousands of times.
    return vocabulary.field(key).codes()


def label(key: str, code: str) -> str:
    """The label of a code in the active language; the code itself if unknown."""
    try:
        return _label(key, code)
    except KeyError:
        return code


def field_label(key: str) -> str:
    f = vocabulary.field(key)
    return f.label_uk if _lang() == "uk" else f.label_en

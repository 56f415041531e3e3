"""The shared AM/PM vocabulary (``matching.vocabulary``) as Django choices.

Choice labels follow the active language (English or Ukrainian), and the model
fields point at a :class:`VocabChoices` object rather than a copied list, so a
migration never freezes the vocabulary.
"""

from __future__ import annotations

from typing import Any

# VocabChoices is imported from here by the models and older migrations.
from imena.lib.vocab import VocabChoices as VocabChoices
from imena.lib.vocab import lang
from matching import vocabulary


def codes(key: str) -> tuple[str, ...]:
    return vocabulary.field(key).codes()


def label(key: str, code: str | None) -> str:
    """The code's label in the active language; the code itself if unknown."""
    if not code:
        return ""
    try:
        return vocabulary.label(key, code, lang())
    except KeyError:  # an unknown field or code: shown as written
        return code


def labels(key: str, values: list[str] | None) -> str:
    return ", ".join(label(key, v) for v in values or [])


def field_label(key: str) -> str:
    f = vocabulary.field(key)
    return f.label_uk if lang() == "uk" else f.label_en


def form_choices(key: str, *, blank: bool = True) -> Any:
    """Choices for a form field: a callable, so labels follow the language."""

    def _choices() -> list[tuple[str, str]]:
        items = vocabulary.choices(key, lang())
        return [("", "—"), *items] if blank else items

    return _choices


def tooth_choices() -> list[tuple[str, str]]:
    return vocabulary.choices("tooth", lang())


is_valid_fdi = vocabulary.is_valid_fdi
FDI_ALL = sorted(vocabulary.FDI_ALL)

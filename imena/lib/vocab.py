"""The shared AM/PM vocabulary (``matching.vocabulary``) as Django model choices.

Model fields point at a :class:`VocabChoices` object rather than a copied list,
so a migration never freezes the vocabulary, and the labels follow the active
language (English or Ukrainian). Used by the exhumations and missing models.
"""

from __future__ import annotations

from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language

from matching import vocabulary


def lang() -> vocabulary.Lang:
    return "uk" if (get_language() or "en").startswith("uk") else "en"


@deconstructible
class VocabChoices:
    """Callable returning ``[(code, label)]`` of one vocabulary field, translated."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self) -> list[tuple[str, str]]:
        return vocabulary.choices(self.key, lang())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VocabChoices) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("VocabChoices", self.key))


def label_of(keys: tuple[str, ...], code: str) -> str:
    """The label of ``code`` in the first of ``keys`` that knows it, translated.

    A value that is not a code of any of them is shown as written.
    """
    for key in keys:
        try:
            return vocabulary.label(key, code, lang())
        except KeyError:
            continue
    return code

"""Grave numbers as written on markers, and the normalised number derived from them."""

from __future__ import annotations

import re
import unicodedata

# Latin letters that stand for Cyrillic suffixes on markers ("12a" for "12а").
_LATIN_TO_CYRILLIC = str.maketrans({"a": "а", "b": "б", "v": "в", "e": "е", "c": "с"})
_NO_NUMBER = {"бн", "б/н", "б.н.", "безномера", "без номера", "нн", "н/н", "bn"}
_NUMBER = re.compile(r"(\d+)\s*[-‐–]?\s*([а-яіїєґa-z]?)\s*(?:/\s*(\d+))?", re.IGNORECASE)


def normalise_grave_number(marker: str) -> str:
    """The comparable grave number of a marker: "№ 12а" -> "12а", "123 / 2" -> "123/2".

    Returns "" when the marker carries no number ("БН", "б/н", blank).
    """
    text = unicodedata.normalize("NFC", marker or "").strip().lower()
    text = text.replace("№", " ").replace("n°", " ").replace("#", " ")
    if not text or text.replace(" ", "") in {m.replace(" ", "") for m in _NO_NUMBER}:
        return ""
    match = _NUMBER.search(text)
    if match is None:
        return ""
    number, suffix, part = match.groups()
    result = str(int(number)) + suffix.translate(_LATIN_TO_CYRILLIC)
    if part:
        result += "/" + str(int(part))
    return result

"""Adapter over ``linkage.normalize`` for missing-person names.

``linkage`` offers the keys (``latin_key``, ``russian_equivalent``,
``translit_kmu``, ``split_full_name``); this module combines them into what the
missing-person app needs and nothing in ``linkage`` provides as one call:

- ``name_forms``: the KMU 2010 transliteration and the Russian form of each part;
- ``part_keys``: the search keys of one name part (any script, Ukrainian or
  Russian spelling), used both when a report is stored and when a family
  searches, so "Oleksandr", "Aleksandr", "Олександр" and "Александр" meet;
- ``query_tokens``: the words of a free-text name typed by a searcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkage.normalize import (
    canonical_name,
    fix_mixed_script,
    latin_key,
    nfc,
    russian_equivalent,
    translit_kmu,
    unify_apostrophes,
)

_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019\u02bc-][^\W\d_]+)*")

KINDS = {"family": "last", "given": "first", "patronymic": "patronymic"}


@dataclass(frozen=True)
class NameForms:
    latin: str
    russian: str


def clean(text: str) -> str:
    """NFC, one apostrophe, Latin look-alikes inside Cyrillic words fixed, tidy spaces."""
    return " ".join(fix_mixed_script(unify_apostrophes(nfc(text or ""))).split())


def name_forms(text: str, kind: str) -> NameForms:
    """KMU 2010 transliteration and Russian form of one name part as written."""
    text = clean(text)
    if not text or not _CYR_RE.search(text):
        return NameForms(text, "")
    words = text.split()
    russian = " ".join(
        russian_equivalent(w, KINDS.get(kind, "last")).capitalize() for w in words
    )
    return NameForms(translit_kmu(text), russian)


def word_keys(word: str, kind: str = "") -> set[str]:
    """Keys of one word: its Latin skeleton and that of its Russian/Ukrainian twin."""
    if not word:
        return set()
    keys = {latin_key(word)}
    kinds = [KINDS[kind]] if kind in KINDS else ["first", "last", "patronymic"]
    if _CYR_RE.search(word):
        for k in kinds:
            keys.add(latin_key(russian_equivalent(word, k)))
    keys.discard("")
    return keys


def part_keys(text: str, kind: str = "") -> set[str]:
    """Keys of every word of a name part (a double surname gives both words)."""
    out: set[str] = set()
    for word in words(text):
        out |= word_keys(word, kind)
    return out


def words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(clean(text)) if len(w) > 1 or _CYR_RE.search(w)]


def query_tokens(text: str) -> list[set[str]]:
    """The key sets of each word a searcher typed (order does not matter)."""
    return [word_keys(w) for w in words(text) if word_keys(w)]


def canonical(text: str) -> str:
    return canonical_name(text)

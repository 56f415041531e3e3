"""Hand-writing and transcription noise applied to journal cells and reports."""

from __future__ import annotations

import datetime as dt
import random

from .names import UK_MONTHS_GENITIVE

UK_LOWER = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"

# Cyrillic letters and the Latin letters that look the same.
LOOKALIKES = {
    "а": "a",
    "е": "e",
    "о": "o",
    "і": "i",
    "с": "c",
    "р": "p",
    "х": "x",
    "у": "y",
    "А": "A",
    "В": "B",
    "Е": "E",
    "І": "I",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
}

APOSTROPHES = ("ʼ", "'", "’", "`")


def typo(word: str, rng: random.Random) -> tuple[str, str]:
    """One substitution, deletion or transposition inside a word (not the first letter)."""
    if len(word) < 4:
        return word, ""
    kind = rng.choice(("substitution", "deletion", "transposition"))
    i = rng.randrange(1, len(word) - 1)
    if kind == "substitution":
        ch = rng.choice(UK_LOWER)
        if ch == word[i]:
            ch = "о" if word[i] != "о" else "а"
        return word[:i] + ch + word[i + 1 :], kind
    if kind == "deletion":
        return word[:i] + word[i + 1 :], kind
    if word[i] == word[i + 1]:
        return word[:i] + word[i + 1 :], "deletion"
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :], kind


def lookalike(text: str, rng: random.Random, count: int = 1) -> str:
    """Replace up to ``count`` Cyrillic letters with Latin look-alikes."""
    positions = [i for i, ch in enumerate(text) if ch in LOOKALIKES]
    if not positions:
        return text
    chars = list(text)
    for i in rng.sample(positions, min(count, len(positions))):
        chars[i] = LOOKALIKES[chars[i]]
    return "".join(chars)


def apostrophe_variant(text: str, rng: random.Random) -> str:
    if "'" not in text:
        return text
    return text.replace("'", rng.choice(APOSTROPHES))


def ddmmyyyy(d: dt.date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"


def date_variant(d: dt.date, rng: random.Random) -> tuple[str, str]:
    """A date as a volunteer writes it, with the format's name."""
    r = rng.random()
    if r < 0.45:
        return ddmmyyyy(d), "dd.mm.yyyy"
    if r < 0.62:
        return f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}", "dd/mm/yy"
    if r < 0.77:
        return d.isoformat(), "iso"
    if r < 0.92:
        return f"{d.day} {UK_MONTHS_GENITIVE[d.month - 1]} {d.year}", "text_month"
    return f"{d.day}.{d.month}.{d.year % 100:02d}", "d.m.yy"


def transpose_digits(number: str, rng: random.Random) -> str | None:
    """Swap two adjacent different digits (123 -> 132), or None when impossible."""
    digits = [
        i
        for i in range(len(number) - 1)
        if number[i].isdigit()
        and number[i + 1].isdigit()
        and number[i] != number[i + 1]
    ]
    if not digits:
        return None
    i = rng.choice(digits)
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]

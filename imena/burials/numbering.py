"""Grave numbers as written on markers, and the normalised number derived from them.

The rules live in ``linkage.normalize`` so that graves and journal rows are
compared with the same key.
"""

from __future__ import annotations

from linkage.normalize import parse_grave_number


def normalise_grave_number(marker: str) -> str:
    """The comparable grave number of a marker: "№ 12а" -> "12а", "БМ-1" -> "бм1".

    Returns "" when the marker carries no number ("БН", "б/н", blank).
    """
    number = parse_grave_number(marker)
    return number.key if number else ""

from __future__ import annotations

import pytest

from imena.burials.numbering import normalise_grave_number


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("№ 12", "12"),
        ("№12", "12"),
        ("12а", "12а"),
        ("12a", "12а"),  # Latin a written for Cyrillic а
        ("12-А", "12а"),
        ("123/2", "123/2"),
        ("123 / 2", "123/2"),
        ("007", "7"),
        ("БН", ""),
        ("б/н", ""),
        ("", ""),
        ("Братська могила №1", "бм1"),
        ("БМ-1", "бм1"),
    ],
)
def test_it_derives_the_grave_number(marker: str, expected: str) -> None:
    assert normalise_grave_number(marker) == expected

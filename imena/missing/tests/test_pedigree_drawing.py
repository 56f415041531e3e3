"""The pedigree is drawn generations top to bottom, labels apart (#21 item 10)."""

from __future__ import annotations

import re

from imena.missing.pedigree_svg import BOX, GAP_X, LABEL_CHARS, Node, render

FAMILY = [
    Node("GF", "GF · дід по батькові", 1, None, None, False, False),
    Node("GM", "GM · бабуся по батькові", 2, None, None, False, False),
    Node("F", "F · батько", 1, "GF", "GM", False, True),
    Node("M", "M · мати", 2, None, None, False, False),
    Node("P", "P · зниклий", 1, "F", "M", True, False),
    Node("S", "S · двоюрідна сестра по матері", 2, "F", "M", False, True),
]


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found is not None, f"{pattern} not in {text}"
    return found.group(1)


def _tops(svg: str) -> dict[str, float]:
    """The centre height of each member's symbol."""
    out = {}
    for tag in re.finditer(r"<(rect|circle|polygon)[^>]*>", svg):
        text = tag.group(0)
        member = _find(r'data-member="(\w+)"', text)
        if text.startswith("<circle"):
            out[member] = float(_find(r'cy="(\d+)"', text))
        elif text.startswith("<rect"):
            out[member] = float(_find(r'\sy="(\d+)"', text)) + BOX / 2
        else:  # the diamond's first point is its top
            out[member] = float(_find(r",(\d+) ", text)) + BOX / 2
    return out


def test_parents_are_drawn_above_their_children() -> None:
    y = _tops(render(FAMILY))
    assert y["GF"] < y["F"] < y["P"]
    assert y["M"] < y["P"] and y["P"] == y["S"]
    assert y["GF"] == y["GM"]


def test_labels_are_short_enough_not_to_overlap() -> None:
    svg = render(FAMILY)
    lines = re.findall(r'font-size="11">([^<]*)</text>', svg)
    assert lines and all(len(line) <= LABEL_CHARS for line in lines)
    assert LABEL_CHARS * 6.5 < GAP_X  # 11 px text: about 6.5 px a character

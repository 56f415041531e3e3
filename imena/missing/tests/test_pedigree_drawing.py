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


def _tops(svg: str) -> dict[str, float]:
    """The centre height of each member's symbol."""
    out = {}
    for tag in re.finditer(r"<(rect|circle|polygon)[^>]*>", svg):
        text = tag.group(0)
        member = re.search(r'data-member="(\w+)"', text).group(1)
        if text.startswith("<circle"):
            out[member] = float(re.search(r'cy="(\d+)"', text).group(1))
        elif text.startswith("<rect"):
            out[member] = float(re.search(r'\sy="(\d+)"', text).group(1)) + BOX / 2
        else:  # the diamond's first point is its top
            out[member] = float(re.search(r",(\d+) ", text).group(1)) + BOX / 2
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

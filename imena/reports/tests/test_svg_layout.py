"""Chart labels and the plan's legend fit their SVG and do not overlap (#17)."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from imena.reports.svg import Bar, bar_chart, text_width

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]  # left, top, right, bottom


def _view_box(root: ET.Element) -> Box:
    x, y, w, h = (float(v) for v in root.get("viewBox", "").split())
    return x, y, x + w, y + h


def _text_boxes(root: ET.Element) -> list[tuple[str, Box]]:
    """Every line of text in the SVG with its box, measured as the layout measures."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size") or _inherited_size(root, text))
        lines = list(text.iter(f"{SVG}tspan")) or [text]
        for line in lines:
            content = "".join(line.itertext())
            x, y = float(line.get("x") or 0), float(line.get("y") or 0)
            w = text_width(content, size)
            anchor = text.get("text-anchor", "start")
            left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
            boxes.append((content, (left, y - size, left + w, y)))
    return boxes


def _inherited_size(root: ET.Element, node: ET.Element) -> str:
    for group in root.iter(f"{SVG}g"):
        if node in list(group.iter()) and group.get("font-size"):
            return group.get("font-size", "")
    return "16"


def _inside(box: Box, frame: Box) -> bool:
    eps = 1e-6
    return (
        box[0] >= frame[0] - eps
        and box[2] <= frame[2] + eps
        and box[1] >= frame[1] - eps
        and box[3] <= frame[3] + eps
    )


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _charts(html: str) -> list[ET.Element]:
    return [
        ET.fromstring(m) for m in re.findall(r'<svg class="chart".*?</svg>', html, re.S)
    ]


def test_a_long_label_is_never_cut_off_on_the_left() -> None:
    bars = [
        Bar("Bodies with any torture indicator", 7),
        Bar("Graves with a name in no journal", 1234567),
        Bar("Тіла з будь-якою ознакою катування та ще довшою назвою категорії", 3),
    ]
    root = ET.fromstring(bar_chart(bars, title="t"))
    frame = _view_box(root)
    boxes = _text_boxes(root)
    assert boxes
    for content, box in boxes:
        assert _inside(box, frame), content
    words = " ".join(c for c, _ in boxes)
    assert "torture indicator" in words and "катування" in words


@pytest.mark.parametrize("language", ["en", "uk"])
def test_every_chart_of_the_statistics_pages_fits_its_labels(
    client, users, site, language
) -> None:
    client.force_login(users["investigator"])
    client.cookies["django_language"] = language
    charts = []
    for url in (
        reverse("reports:site_statistics", args=[site.pk]),
        reverse("reports:index"),
    ):
        charts += _charts(
            client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        )
    assert len(charts) >= 3
    for chart in charts:
        frame = _view_box(chart)
        for content, box in _text_boxes(chart):
            assert _inside(box, frame), (language, content, box, frame)


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_plan_legend_entries_do_not_overlap_and_fit_the_plan(
    client, users, site, language
) -> None:
    client.force_login(users["investigator"])
    client.cookies["django_language"] = language
    response = client.get(
        reverse("reports:site_plan_svg", args=[site.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    root = ET.fromstring(response.content)
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert legend is not None
    size = float(legend.get("font-size", ""))
    shapes = [e for e in legend.iter() if e.tag in (f"{SVG}rect", f"{SVG}text")]
    entries: list[Box] = []
    for rect, text in zip(shapes[::2], shapes[1::2], strict=True):
        assert rect.tag == f"{SVG}rect" and text.tag == f"{SVG}text"
        left, top = float(rect.get("x", "")), float(rect.get("y", ""))
        right = float(text.get("x", "")) + text_width("".join(text.itertext()), size)
        entries.append((left, top, right, top + size))
    assert len(entries) == 6
    frame = _view_box(root)
    for a, b in itertools.combinations(entries, 2):
        assert not _overlap(a, b), (a, b)
    for box in entries:
        assert _inside(box, frame), (box, frame)

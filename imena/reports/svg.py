"""Server-rendered SVG: bar charts and the site plan. No JavaScript.

Both build strings directly (no template per grave) so that a plan of 10,000
graves renders in well under a second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from imena.burials.models import GraveKind, GraveStatus
from imena.lib.pdf import FontMissing, register_fonts

# One colour per grave status, kept apart for colour-blind readers as far as
# five colours allow; the legend also names them and each grave has a tooltip.
STATUS_COLOURS: dict[str, str] = {
    GraveStatus.REGISTERED: "#8c96a0",
    GraveStatus.EXHUMED: "#e69f00",
    GraveStatus.AT_MORGUE: "#0072b2",
    GraveStatus.IDENTIFIED: "#009e73",
    GraveStatus.RETURNED: "#6a3d9a",
}
LABEL_LIMIT = 2000  # above this many graves, markers are in tooltips only
METRES_PER_DEG_LAT = 110_540.0
METRES_PER_DEG_LON_AT_EQUATOR = 111_320.0


# Text is laid out with the metrics of DejaVu Sans, which the SVGs name first;
# it is wider than the usual fallbacks, so a label measured here fits in them.
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
FALLBACK_EM = 0.66  # average advance of a wide sans font, when no font is found
MARGIN = 1.05


@cache
def _font() -> str | None:
    try:
        return register_fonts()[0]
    except FontMissing:
        return None


def text_width(text: str, size: float) -> float:
    """The width of `text` at font size `size` (same unit), with a small margin."""
    font = _font()
    if font is None:
        return len(text) * size * FALLBACK_EM * MARGIN
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size) * MARGIN


def wrap_text(text: str, size: float, max_width: float) -> list[str]:
    """`text` broken at spaces into lines no wider than `max_width` where a word allows."""
    if text_width(text, size) <= max_width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size) > max_width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    # A single word wider than the column is cut (the full text stays in the tooltip).
    out: list[str] = []
    for line in lines:
        if text_width(line, size) <= max_width:
            out.append(line)
            continue
        cut = len(line)
        while cut > 1 and text_width(line[:cut] + "…", size) > max_width:
            cut -= 1
        out.append(line if cut == len(line) else line[:cut] + "…")
    return out


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str = ""
    colour: str = "#1f4e79"


def bar_chart(
    bars: Sequence[Bar], *, title: str, width: int = 560, size: int = 13
) -> SafeString:
    """A horizontal bar chart; each bar links to the records behind it.

    The label column is as wide as the longest label (measured), up to half
    the chart; longer labels wrap onto more lines, and the row grows with them.
    """
    line_h, pad, min_span = size + 3, 6, 160
    value_w = max((text_width(str(b.value), size) for b in bars), default=0) + 2 * pad
    longest = max((text_width(b.label, size) for b in bars), default=0) + 2 * pad
    label_w = min(longest, max(width / 2, width - value_w - min_span))
    label_lines = [wrap_text(b.label, size, label_w - 2 * pad) for b in bars]
    row_hs = [max(26, len(lines) * line_h + 10) for lines in label_lines]
    height = sum(row_hs) + 8 if bars else 34
    top = max((b.value for b in bars), default=0) or 1
    span = width - label_w - value_w
    # A chart whose bars are links is a group of links, not one image: an
    # image's children are hidden from assistive technology (axe: nested-interactive).
    role = "group" if any(b.url for b in bars) else "img"
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="{role}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT_FAMILY}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    y = 4
    for bar, lines, row_h in zip(bars, label_lines, row_hs, strict=True):
        w = 0 if bar.value == 0 else max(2.0, span * bar.value / top)
        middle = y + row_h / 2
        first = middle - (len(lines) - 1) * line_h / 2 + size * 0.35
        tspans = "".join(
            f'<tspan x="{label_w - pad:.1f}" y="{first + k * line_h:.1f}">'
            f"{escape(line)}</tspan>"
            for k, line in enumerate(lines)
        )
        body = (
            f'<text class="label" text-anchor="end" font-size="{size}">{tspans}</text>'
            f'<rect x="{label_w:.1f}" y="{middle - 9:.1f}" width="{w:.1f}" height="18" '
            f'fill="{bar.colour}"><title>{escape(bar.label)}: {bar.value}</title></rect>'
            f'<text class="value" x="{label_w + w + pad:.1f}" y="{middle + size * 0.35:.1f}" '
            f'font-size="{size}">{bar.value}</text>'
        )
        if bar.url:
            body = f'<a href="{escape(bar.url)}">{body}</a>'
        out.append(body)
        y += row_h
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text is escaped above


@dataclass(frozen=True)
class PlanGrave:
    pk: int
    ref: str
    marker: str
    kind: str
    status: str
    x: float | None
    y: float | None
    lat: float | None
    lon: float | None
    bodies_expected: int | None


@dataclass
class Plan:
    svg: SafeString
    placed: int
    unplaced: list[PlanGrave]
    mode: str  # "grid" or "geo"
    width_m: float
    height_m: float


def _projector(lat0: float) -> tuple[float, float]:
    return (
        METRES_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(lat0)),
        METRES_PER_DEG_LAT,
    )


def site_plan(
    graves: Iterable[PlanGrave],
    *,
    title: str,
    site_lat: float | None = None,
    site_lon: float | None = None,
    boundary: dict | None = None,
    link: bool = True,
) -> Plan:
    """Every grave at its position, coloured by status, linked to its page.

    Grid x/y (metres, y to the north) is used when most graves have it;
    otherwise latitude/longitude are projected to metres around the site
    (equirectangular, accurate to centimetres over a few hundred metres).
    """
    graves = list(graves)
    with_grid = sum(1 for g in graves if g.x is not None and g.y is not None)
    with_geo = sum(1 for g in graves if g.lat is not None and g.lon is not None)
    mode = "grid" if with_grid >= with_geo and with_grid else "geo"
    points: list[tuple[PlanGrave, float, float]] = []
    unplaced: list[PlanGrave] = []
    lat0 = site_lat if site_lat is not None else None
    lon0 = site_lon if site_lon is not None else None
    if mode == "geo" and with_geo:
        geo = [g for g in graves if g.lat is not None and g.lon is not None]
        lat0 = lat0 if lat0 is not None else sum(g.lat for g in geo) / len(geo)  # type: ignore[misc]
        lon0 = lon0 if lon0 is not None else sum(g.lon for g in geo) / len(geo)  # type: ignore[misc]
    kx, ky = _projector(lat0 or 0.0)
    for g in graves:
        if mode == "grid" and g.x is not None and g.y is not None:
            points.append((g, g.x, -g.y))
        elif mode == "geo" and g.lat is not None and g.lon is not None:
            points.append((g, (g.lon - lon0) * kx, -(g.lat - lat0) * ky))  # type: ignore[operator]
        else:
            unplaced.append(g)

    outline: list[tuple[float, float]] = []
    if mode == "geo" and boundary and lat0 is not None:
        try:
            ring = boundary["coordinates"][0]
            outline = [((lon - lon0) * kx, -(lat - lat0) * ky) for lon, lat in ring]
        except (KeyError, IndexError, TypeError, ValueError):
            outline = []

    xs = [p[1] for p in points] + [p[0] for p in outline]
    ys = [p[2] for p in points] + [p[1] for p in outline]
    pad = 3.0
    min_x, max_x = (min(xs), max(xs)) if xs else (0.0, 10.0)
    min_y, max_y = (min(ys), max(ys)) if ys else (0.0, 10.0)
    # Mass graves are drawn larger; leave room for them.
    big = max(
        (_mass_size(g) for g, _, _ in points if g.kind == GraveKind.MASS), default=0
    )
    pad += big / 2
    vx, vy = min_x - pad, min_y - pad
    vw, vh = max(max_x - min_x + 2 * pad, 10.0), max(max_y - min_y + 2 * pad, 10.0)
    legend, legend_h = _legend(vx, vy + vh, vw)
    total_h = vh + legend_h

    url_pattern = reverse("burials:grave_detail", args=[987654321]).replace(
        "987654321", "%d"
    )
    labels = len(points) <= LABEL_LIMIT
    font = 0.55
    out = [
        f'<svg class="siteplan" xmlns="http://www.w3.org/2000/svg" '
        f'role="{"group" if link else "img"}" '
        f'viewBox="{vx:.2f} {vy:.2f} {vw:.2f} {total_h:.2f}" '
        f'preserveAspectRatio="xMidYMin meet" width="100%" font-family="{FONT_FAMILY}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect x="{vx:.2f}" y="{vy:.2f}" width="{vw:.2f}" height="{vh:.2f}" '
        f'fill="#fbfaf7" stroke="#c8c4ba" stroke-width="0.1"/>'
    ]
    if outline:
        pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in outline)
        out.append(
            f'<polygon class="boundary" points="{pts}" fill="none" stroke="#5b6672" '
            f'stroke-width="0.25" stroke-dasharray="1 0.5"/>'
        )
    status_label = {k: str(v) for k, v in GraveStatus.choices}
    singles: list[str] = []
    masses: list[str] = []
    for g, x, y in points:
        colour = STATUS_COLOURS.get(g.status, "#444")
        name = escape(g.marker or g.ref)
        tip = f"<title>{name} · {escape(status_label.get(g.status, g.status))}</title>"
        if g.kind == GraveKind.MASS:
            s = _mass_size(g)
            shape = (
                f'<rect class="mass" x="{x - s / 2:.2f}" y="{y - s / 2:.2f}" '
                f'width="{s:.2f}" height="{s:.2f}" fill="{colour}" fill-opacity="0.35" '
                f'stroke="#9b1c1c" stroke-width="0.35" stroke-dasharray="0.8 0.4"/>'
                f'<text x="{x:.2f}" y="{y - s / 2 - 0.3:.2f}" font-size="{font * 1.4:.2f}" '
                f'text-anchor="middle" fill="#9b1c1c">{name}</text>'
            )
            target = masses
        else:
            shape = (
                f'<rect x="{x - 0.5:.2f}" y="{y - 0.8:.2f}" width="1" height="1.6" '
                f'fill="{colour}"/>'
            )
            if labels:
                shape += (
                    f'<text x="{x:.2f}" y="{y + 1.4:.2f}" font-size="{font}" '
                    f'text-anchor="middle">{name}</text>'
                )
            target = singles
        if link:
            target.append(f'<a href="{url_pattern % g.pk}">{tip}{shape}</a>')
        else:
            target.append(f"<g>{tip}{shape}</g>")
    out.extend(singles)
    out.extend(masses)  # on top, so the outline is never hidden
    out.append(legend)
    out.append("</svg>")
    return Plan(
        svg=mark_safe("".join(out)),  # noqa: S308 - every text is escaped above
        placed=len(points),
        unplaced=unplaced,
        mode=mode,
        width_m=round(max_x - min_x, 1) if xs else 0.0,
        height_m=round(max_y - min_y, 1) if ys else 0.0,
    )


def _mass_size(g: PlanGrave) -> float:
    return 2.0 + 1.2 * math.sqrt(max(g.bodies_expected or 4, 1))


def _legend(x0: float, y0: float, width: float) -> tuple[str, float]:
    """The legend laid out in rows under the plan; returns its SVG and its height.

    Each entry is measured (swatch, gap, text) and placed after the previous one,
    starting a new row when it would pass the right edge, so no two overlap.
    """
    entries = [
        (str(label), f'fill="{STATUS_COLOURS[value]}"')
        for value, label in GraveStatus.choices
    ]
    size = width / 55  # about 13 px when the plan is 720 px wide
    entries.append(
        (
            _("Mass grave"),
            f'fill="none" stroke="#9b1c1c" stroke-width="{size / 8:.3f}" '
            f'stroke-dasharray="{size / 4:.3f} {size / 8:.3f}"',
        )
    )
    gap, margin, line_h = size * 1.2, size * 0.5, size * 1.6
    parts = [f'<g class="legend" font-size="{size:.3f}" font-family="{FONT_FAMILY}">']
    x, row = x0 + margin, 0
    for label, paint in entries:
        box = size * 1.3 + text_width(label, size)
        if x > x0 + margin and x + box > x0 + width - margin:
            x, row = x0 + margin, row + 1
        y = y0 + size * 0.5 + row * line_h
        parts.append(
            f'<g class="entry"><rect x="{x:.3f}" y="{y:.3f}" width="{size:.3f}" '
            f'height="{size:.3f}" {paint}/><text x="{x + size * 1.3:.3f}" '
            f'y="{y + size * 0.85:.3f}">{escape(label)}</text></g>'
        )
        x += box + gap
    parts.append("</g>")
    return "".join(parts), (row + 1) * line_h + size * 0.5

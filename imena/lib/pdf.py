"""PDF helpers shared by the apps' PDF documents (reportlab)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
]
FONT = "ImenaSans"
FONT_BOLD = "ImenaSans-Bold"


class FontMissing(Exception):
    pass


def _find_font(name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    try:  # matplotlib ships DejaVu Sans, if it happens to be installed
        import matplotlib

        candidate = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
        if candidate.exists():
            return candidate
    except ImportError:
        pass
    return None


@cache
def register_fonts() -> tuple[str, str]:
    """Register a TrueType font with Cyrillic; reportlab embeds the used glyphs."""
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = _find_font("DejaVuSans.ttf")
    if regular is None:
        raise FontMissing(
            "DejaVuSans.ttf not found (install the Debian package fonts-dejavu-core)"
        )
    bold = _find_font("DejaVuSans-Bold.ttf") or regular
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    return FONT, FONT_BOLD


def column_widths(
    rows: list[list[str]],
    total: float,
    *,
    font: str,
    size: float,
    padding: float = 12.0,
) -> list[float]:
    """Column widths (points) summing to ``total`` and sized to the content.

    Each column is at least as wide as its longest word, so a table cell wraps
    only at spaces and never splits a word; the width left over goes to the
    columns in proportion to how much more their longest cell needs to fit on
    one line. ``padding`` is a cell's left plus right padding (reportlab's
    default 6 + 6). When even the longest words do not fit, the widths are
    scaled down and long words must break.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth  # heavy: PDFs only

    n = max((len(r) for r in rows), default=0)
    least = [padding] * n
    natural = [padding] * n
    for row in rows:
        for c, cell in enumerate(row):
            text = str(cell if cell is not None else "")
            for line in text.splitlines() or [""]:
                natural[c] = max(natural[c], stringWidth(line, font, size) + padding)
                for word in line.split():
                    # 1 pt more: the paragraph's own rounding must not wrap it.
                    least[c] = max(
                        least[c], stringWidth(word, font, size) + padding + 1
                    )
    need = sum(least)
    if need >= total:
        return [w * total / need for w in least]
    want = [nat - low for nat, low in zip(natural, least, strict=True)]
    spare = total - need
    if sum(want) <= spare:
        # Everything fits on one line: share out what is left by natural width.
        extra = spare - sum(want)
        share = sum(natural)
        return [nat + extra * nat / share for nat in natural]
    return [low + spare * w / sum(want) for low, w in zip(least, want, strict=True)]

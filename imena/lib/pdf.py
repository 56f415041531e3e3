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

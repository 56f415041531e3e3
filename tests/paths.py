"""Where the repository's own test data lives (no path outside the repository)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
DVI_EXAMPLES = DATA / "dvi-examples"
PFIF = DATA / "pfif"

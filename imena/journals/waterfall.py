"""The match-weight waterfall of a scored pair, laid out for a server-side SVG.

A pair's match weight is the prior's weight plus each comparison's weight
(``linkage.reconcile.PairScore``). The waterfall draws the prior, then each
comparison as a bar starting where the previous one ended (green for evidence
for the same person, red against), then the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = ["Bar", "Waterfall", "waterfall"]

COMPARISONS: Mapping[str, Any] = {
    "surname": _("surname"),
    "given": _("given name"),
    "patronymic": _("patronymic"),
    "birth": _("birth date or age"),
    "death_date": _("death date"),
    "burial_date": _("burial date"),
    "grave": _("grave number"),
}
LEVELS: Mapping[str, Any] = {
    "null": _("not written in one row"),
    "exact": _("the same"),
    "uk/ru equivalent": _("Ukrainian/Russian equivalent"),
    "transliteration": _("transliteration"),
    "jaro-winkler >= 0.92": _("very similar spelling"),
    "jaro-winkler >= 0.9": _("very similar spelling"),
    "jaro-winkler >= 0.8": _("similar spelling"),
    "phonetic": _("sounds the same"),
    "swapped or latin-similar": _("swapped or similar in Latin"),
    "transliteration or swapped": _("transliteration or swapped"),
    "initial": _("initial agrees"),
    "same birth date": _("same birth date"),
    "same birth year": _("same birth year"),
    "birth years compatible (age)": _("birth year fits the age"),
    "within 2 years": _("within 2 years"),
    "within 3 days": _("within 3 days"),
    "within 7 days": _("within 7 days"),
    "within 31 days": _("within 31 days"),
    "exact (mass grave)": _("the same mass grave"),
    "suffix differs": _("same number, other suffix"),
    "transposed digits": _("transposed digits"),
    "neighbouring plank": _("neighbouring plank"),
    "else": _("disagrees"),
}

WIDTH, LABEL_W, ROW_H, PAD = 640, 300, 22, 6


@dataclass(frozen=True, slots=True)
class Bar:
    label: Any
    level: Any
    weight: float
    x: float  # left edge of the bar (px)
    width: float
    y: float
    kind: str  # "prior", "for", "against", "total"


@dataclass(frozen=True, slots=True)
class Waterfall:
    bars: list[Bar]
    width: int
    height: int
    zero_x: float
    label_w: int


def waterfall(
    explanation: Sequence[Mapping[str, Any]], match_weight: float
) -> Waterfall | None:
    """Bars for an explanation (``[{"comparison", "level", "weight"}]``) and
    its pair's match weight; None without an explanation."""
    if not explanation:
        return None
    weights = [float(e.get("weight") or 0.0) for e in explanation]
    prior = match_weight - sum(weights)
    steps: list[tuple[Any, Any, float, str]] = [(_("prior"), "", prior, "prior")]
    for e, w in zip(explanation, weights, strict=True):
        name = str(e.get("comparison", ""))
        level = str(e.get("level", ""))
        steps.append((COMPARISONS.get(name, name), LEVELS.get(level, level), w,
                      "for" if w >= 0 else "against"))  # fmt: skip
    # running totals: each bar spans [before, after]
    ends, total = [0.0], 0.0
    for *_rest, w, _kind in steps:
        total += w
        ends.append(total)
    lo, hi = min(*ends, 0.0), max(*ends, 0.0)
    span = (hi - lo) or 1.0
    plot = WIDTH - LABEL_W - 2 * PAD

    def px(v: float) -> float:
        return round(LABEL_W + PAD + (v - lo) / span * plot, 1)

    bars = []
    for i, (label, level, w, kind) in enumerate(steps):
        a, b = px(ends[i]), px(ends[i + 1])
        bars.append(Bar(label, level, round(w, 2), min(a, b), max(abs(b - a), 1.0),
                        PAD + i * ROW_H, kind))  # fmt: skip
    a, b = px(0.0), px(total)
    bars.append(Bar(_("match weight"), "", round(total, 2), min(a, b),
                    max(abs(b - a), 1.0), PAD + len(steps) * ROW_H, "total"))  # fmt: skip
    height = PAD * 2 + (len(steps) + 1) * ROW_H
    return Waterfall(bars, WIDTH, height, px(0.0), LABEL_W)

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

#: How a link was made (``linkage.reconcile.RULES``; the same keys, a test
#: checks): Splink's score, a reviewer's decision or a clustering rule.
RULE_LABELS: Mapping[str, Any] = {
    "splink": _("the model: match probability at or above the threshold"),
    "must_link": _("a reviewer decided they are one person"),
    "written_twice": _(
        "one person written twice in one journal (a reburial, a corrected entry)"
    ),
    "nameless_written_twice": _(
        "a nameless entry corrected or repeated in one journal"
    ),
    "written_apart": _(
        "one person written twice in one journal, one row without a grave "
        "number: the same death day, names and birth years that fit"
    ),
    "reburied_without_note": _(
        "one person written twice in one journal at two graves, without a note "
        "(a reburial): the full name, the full birth date and the death day "
        "agree, and no other row of the journal has them"
    ),
    "nameless_moved": _("a nameless body buried temporarily and reburied"),
    "twice_through_other_journal": _(
        "one person written twice in one journal: a row of another journal is "
        "linked to both rows at or above the threshold, and the two rows agree "
        "in everything both write"
    ),
    "slipped_line": _(
        "the person's own line, linked in place of the neighbouring line that "
        "carries the next burial's name"
    ),
    "linked_through_slipped_line": _(
        "linked through a line later taken out (a name slipped onto the "
        "neighbouring line)"
    ),
    "lone_nameless": _("the only nameless rows with this death and burial day"),
    "nameless_at_grave": _(
        "nameless rows left alone at one grave (or the neighbouring plank)"
    ),
    "between_neighbours": _(
        "the only free rows between the same two linked rows of both journals"
    ),
    "between_neighbours_in_order": _(
        "nameless rows of one burial day between the same two linked rows, in "
        "the same order"
    ),
    "nameless_at_taken_number": _(
        "a row at a grave that is another body's, and the one free row at the "
        "neighbouring plank, one of them nameless: written one plank off"
    ),
    "last_nameless_at_mass_grave": _(
        "the one nameless row of each journal left alone at a mass grave that "
        "both list with as many nameless rows"
    ),
}
#: The evidence of a rule's link (``linkage.reconcile.EVIDENCE``).
EVIDENCE_LABELS: Mapping[str, Any] = {
    "same_grave": _("the same grave number"),
    "same_mass_grave": _("the same mass grave"),
    "grave_written_two_ways": _(
        "one grave number written two ways (a lost suffix or transposed digits)"
    ),
    "neighbouring_plank": _("neighbouring plank numbers"),
    "other_grave": _("different grave numbers"),
    "no_grave_number": _("a row without a grave number"),
    "names_agree": _("surname and given name agree"),
    "both_nameless": _("both rows nameless"),
    "one_nameless": _("one row nameless"),
    "same_birth_date": _("the same birth date"),
    "birth_years_fit": _("birth years fit (from a date or the age)"),
    "same_death_day": _("the same death day"),
    "death_days_a_day_apart": _("death days a day apart"),
    "other_death_day": _("different death days"),
    "same_burial_day": _("the same burial day"),
    "buried_later": _("buried later (the reburial)"),
    "other_burial_day": _("different burial days"),
    "same_sex": _("the same sex"),
    "ages_fit": _("ages fit"),
    "note_temporary": _("a note: temporary burial"),
    "note_reburial": _("a note: reburial"),
    "note_correction": _("a note: corrected or repeated entry"),
    "only_candidate": _("each is the other's only candidate"),
    "given_name_slip": _(
        "given names one slip of the pen apart (a letter changed, left out or swapped)"
    ),
    "birth_year_one_digit": _(
        "birth years one digit apart (one or ten years: the slip a corrected "
        "entry fixes)"
    ),
    "no_birth_on_one_row": _(
        "one row without a birth date or age; the full names with patronymics agree"
    ),
    "same_burial_no_death_day": _(
        "no death day on a row: the same burial day and birth years on both rows"
    ),
    "full_identity": _(
        "the full name with patronymic, the full birth date and the death day "
        "agree (burial days differ)"
    ),
    "patronymic_on_one_row": _("the patronymic on one row only"),
    "only_group": _(
        "the rows (three or more) each fit every other, and no other row of the journal"
    ),
    "linked_to_both_rows": _(
        "a row of another journal is linked to both rows of this journal at or "
        "above the threshold"
    ),
    "agree_in_all_written": _(
        "the two rows agree in everything both write (names, death day, birth years)"
    ),
    "names_swapped": _("surname and given name written in swapped order"),
    "surnames_through_other_row": _(
        "the two surnames are each one slip from the other journal's row's surname"
    ),
    "one_body_at_grave": _("no journal lists another body at that grave"),
    "unique_dates": _("no other nameless row has these death and burial days"),
    "between_linked_rows": _("between the same two linked rows in both journals"),
    "same_order": _("in the same order between those rows"),
    "neighbouring_line_slipped": _(
        "the neighbouring line carries the next burial's name"
    ),
    "number_taken": _(
        "the other journal has another body at this row's number (linked to "
        "this journal's row there, or buried or died on another day)"
    ),
    "last_nameless_left": _(
        "every other nameless row of this mass grave is linked, in both journals"
    ),
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

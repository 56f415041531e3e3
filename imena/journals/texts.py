"""The reconciliation's English texts in the reader's language.

``linkage`` (no Django) writes a review question's message and each comparison
of a scored pair in English; they are stored as written and translated here
when shown.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from imena.journals.waterfall import COMPARISONS, EVIDENCE_LABELS, LEVELS, RULE_LABELS

_PERSON_GRAVES = re.compile(r"^(?P<name>.*): rows name graves (?P<graves>.*)$")
_GRAVE_PEOPLE = re.compile(
    r"^grave (?P<grave>\S+) proposed for (?P<n>\d+) people(?P<mass> \(mass grave\))?$"
)
_NO_GRAVE = re.compile(
    r"^row (?P<row>\d+) of (?P<source>\S+) has no readable grave number "
    r"\((?P<raw>.*)\)$",
    re.S,
)


def review_message(message: str) -> str:
    """A review question's message (``linkage.reconcile``) in the active language."""
    if m := _PERSON_GRAVES.match(message):
        name = m["name"] if m["name"] != "unnamed" else _("unnamed")
        return _("%(name)s: the rows name graves %(graves)s") % {
            "name": name,
            "graves": m["graves"],
        }
    if m := _GRAVE_PEOPLE.match(message):
        n = int(m["n"])
        text = ngettext(
            "grave %(grave)s proposed for %(n)d person",
            "grave %(grave)s proposed for %(n)d people",
            n,
        ) % {"grave": m["grave"], "n": n}
        return text + (" " + _("(mass grave)") if m["mass"] else "")
    if m := _NO_GRAVE.match(message):
        return _("row %(row)s has no readable grave number (%(raw)s)") % {
            "row": m["row"],
            "raw": m["raw"],
        }
    return message


def comparison_label(key: Any) -> str:
    return str(COMPARISONS.get(str(key), key))


def level_label(key: Any) -> str:
    return str(LEVELS.get(str(key), key))


def rule_label(key: Any) -> str:
    """How a link was made (``linkage.reconcile.RULES`` key) in the active language."""
    return str(RULE_LABELS.get(str(key), key))


def evidence_label(key: Any) -> str:
    """One fact of a rule's evidence (``linkage.reconcile.EVIDENCE`` key)."""
    return str(EVIDENCE_LABELS.get(str(key), key))


#: A journal row's problems (``linkage.io.Problem``): per code, how its English
#: message is read and what the reader is shown.
_PROBLEMS: dict[str, tuple[re.Pattern[str], Any]] = {
    "missing_grave_number": (
        re.compile(r"^no grave number$"),
        _lazy("no grave number"),
    ),
    "unnumbered_grave": (
        re.compile(r"^grave marked as unnumbered: (?P<v>.*)$", re.S),
        _lazy("grave marked as unnumbered: %(v)s"),
    ),
    "unparseable_grave_number": (
        re.compile(r"^cannot read grave number (?P<v>.*)$", re.S),
        _lazy("cannot read the grave number %(v)s"),
    ),
    "unknown_person": (
        re.compile(r"^name recorded as unknown: (?P<v>.*)$", re.S),
        _lazy("name recorded as unknown: %(v)s"),
    ),
    "missing_name": (re.compile(r"^no name$"), _lazy("no name")),
    "unparseable_date": (
        re.compile(r"^cannot read date (?P<v>.*)$", re.S),
        _lazy("cannot read the date %(v)s"),
    ),
    "unparseable_age": (
        re.compile(r"^cannot read age (?P<v>.*)$", re.S),
        _lazy("cannot read the age %(v)s"),
    ),
    "burial_before_death": (
        re.compile(r"^burial date is before death date$"),
        _lazy("the burial date is before the death date"),
    ),
    "age_birth_mismatch": (
        re.compile(r"^age (?P<age>\S+) does not fit birth year (?P<year>\S+)$"),
        _lazy("age %(age)s does not fit the birth year %(year)s"),
    ),
    "duplicate_header": (
        re.compile(r"^column (?P<v>.*) repeated$", re.S),
        _lazy("column %(v)s repeated"),
    ),
    "unmapped_columns": (
        re.compile(r"^columns not used: (?P<v>.*)$", re.S),
        _lazy("columns not used: %(v)s"),
    ),
}


def problem_message(problem: Any) -> str:
    """A journal row's problem in the active language (as written if unknown)."""
    if isinstance(problem, dict):
        code, message = problem.get("code", ""), problem.get("message", "")
    else:
        code, message = getattr(problem, "code", ""), getattr(problem, "message", "")
    known = _PROBLEMS.get(code)
    if known is not None and (m := known[0].match(message)):
        return str(known[1]) % m.groupdict() if m.groupdict() else str(known[1])
    return str(message)

"""The reconciliation's English texts in the reader's language.

``linkage`` (no Django) writes a review question's message and each comparison
of a scored pair in English; they are stored as written and translated here
when shown.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imena.journals.waterfall import COMPARISONS, LEVELS

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

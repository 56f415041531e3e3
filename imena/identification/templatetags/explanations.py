"""Names of the evidence kinds and traits of a candidate's explanation."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: Kinds of evidence and the traits inside them, as the engine names them.
LABELS = {
    "physical": _("physical description"),
    "journal": _("burial journals"),
    "dna": _("DNA"),
    "sex": _("sex"),
    "age": _("age"),
    "stature": _("stature"),
    "hair_colour": _("hair colour"),
    "eye_colour": _("eye colour"),
    "build": _("build"),
    "particulars": _("particulars"),
    "dental": _("dental findings"),
    "clothing": _("clothing"),
    "effects": _("personal effects"),
    "documents": _("documents"),
}


@register.filter
def evidence_label(key: str) -> str:
    """The label of an evidence kind or trait; an unknown key made readable."""
    label = LABELS.get(key)
    return str(label) if label is not None else str(key).replace("_", " ")

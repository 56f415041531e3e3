"""Post-mortem sections and fields, shared by the writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy

from imena.exhumations.models import (
    BodyItem,
    Injury,
    Particular,
    ToothFinding,
)

# The single-valued post-mortem sections and their fields, in form order.
SECTIONS: dict[str, tuple[str, ...]] = {
    "biological": (
        "sex",
        "sex_method",
        "sex_certainty",
        "age_min",
        "age_max",
        "age_method",
        "stature_min",
        "stature_max",
        "stature_formula",
        "build",
    ),
    "physical": ("hair_colour", "hair_length", "facial_hair", "eye_colour"),
    "pathology": (
        "preservation",
        "cause_of_death",
        "cause_of_death_text",
        "manner_of_death",
    ),
    "torture": (
        "ligature_marks",
        "bound_hands",
        "gunshot_wounds",
        "blunt_force",
        "fractures",
        "burn_marks",
        "torture_indicators",
        "restraint_material",
        "restraint_location",
        "torture_consistency",
    ),
    "findings": ("findings",),
}
# Sections made of rows: the model and the fields a row form edits.
ITEM_SECTIONS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "particulars": (
        Particular,
        ("kind", "region", "side", "subtype", "serial", "description"),
    ),
    "dental": (
        ToothFinding,
        (
            "tooth",
            "status",
            "restoration",
            "surfaces",
            "crown",
            "bridge",
            "implant",
            "endodontics",
            "notes",
        ),
    ),
    "clothing": (
        BodyItem,
        (
            "category",
            "colours",
            "pattern",
            "material",
            "size_eu",
            "label_text",
            "description",
        ),
    ),
    "effects": (
        BodyItem,
        (
            "category",
            "material",
            "label_text",
            "serial",
            "location_on_body",
            "description",
        ),
    ),
    "documents": (
        BodyItem,
        ("category", "serial", "name_on_item", "location_on_body", "description"),
    ),
    "injuries": (
        Injury,
        (
            "region",
            "side",
            "mechanism",
            "timing",
            "gunshot_wound",
            "gunshot_range",
            "description",
        ),
    ),
}
ITEM_KIND_OF_SECTION = {
    "clothing": "clothing",
    "effects": "effect",
    "documents": "document",
}
ALL_SECTIONS = (*SECTIONS, *ITEM_SECTIONS)


#: The form error when a correction of a recorded finding gives no reason.
REASON_REQUIRED = gettext_lazy("This changes a finding already recorded: say why.")


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})

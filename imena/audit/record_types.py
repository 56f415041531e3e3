"""Stable names of record types, whichever app holds the model today.

Audit entries, site JSON exports and ODK review notes name a record by its
type, ``app_label.model_name``. A model that moved to another app without
moving its data (the table kept its name) keeps its old type name, so
histories, exports and re-imports of older files read the same.
"""

from __future__ import annotations

from django.db import models

#: Current label -> the record type it had before its model moved.
MOVED = {
    "identification.screeningrun": "dna.screeningrun",
    "identification.screeningcandidate": "dna.screeningcandidate",
    "evidence.evidenceitem": "exhumations.evidenceitem",
    "evidence.custodyentry": "exhumations.custodyentry",
}
_CURRENT = {old: new for new, old in MOVED.items()}


def record_type(model: type[models.Model] | models.Model) -> str:
    """The stable type name of a model (or of a record's model)."""
    label = model._meta.label_lower
    return MOVED.get(label, label)


def model_label(record_type: str) -> str:
    """The current ``app_label.model_name`` of a record type."""
    return _CURRENT.get(record_type, record_type)

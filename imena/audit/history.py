"""History cards people can read: field labels and values as the forms show them.

An audit entry stores the record's fields by their database names
(``created_by_id``, ``withdrawn_reason``) with JSON values (ids, ISO times, choice
codes). ``readable_changes`` turns each change into the field's translated label
and displayable values: the related record's name for an id, the choice's label
for a code, local time for a timestamp, yes/no for a flag. Bookkeeping fields
(primary key, organisation, creation time and author) are left out: the card
already says who and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imena.audit.models import AuditEntry
from imena.audit.record_types import model_label

#: Fields that every card already shows (who, when) or that mean nothing to a reader.
HIDDEN = frozenset(
    {"id", "organisation_id", "organisation", "created", "created_by_id", "updated"}
)

#: The last part of an action code, as a reader says it.
VERBS: dict[str, Any] = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "correct": gettext_lazy("corrected"),
    "withdraw": gettext_lazy("withdrawn"),
    "status": gettext_lazy("status changed"),
    "add": gettext_lazy("added"),
    "import": gettext_lazy("imported"),
    "propose": gettext_lazy("proposed"),
    "confirm": gettext_lazy("confirmed"),
    "reject": gettext_lazy("rejected"),
    "reopen": gettext_lazy("reopened"),
    "accept": gettext_lazy("accepted"),
    "merge": gettext_lazy("merged"),
    "unmerge": gettext_lazy("unmerged"),
    "category": gettext_lazy("civilian or military status set"),
    "decision": gettext_lazy("review decision"),
    "reconcile": gettext_lazy("journals reconciled"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


#: Entries written on one record about rows of another model: the post-mortem
#: sections are audited on their body, their fields are the section's.
ROW_MODELS = {
    "pm.particulars": "exhumations.Particular",
    "pm.dental": "exhumations.ToothFinding",
    "pm.injuries": "exhumations.Injury",
    "pm.clothing": "exhumations.BodyItem",
    "pm.effects": "exhumations.BodyItem",
    "pm.documents": "exhumations.BodyItem",
}


def _model(entry: AuditEntry) -> type[models.Model] | None:
    try:
        return apps.get_model(model_label(entry.object_type))
    except (LookupError, ValueError):
        return None


def _row_model(entry: AuditEntry) -> type[models.Model] | None:
    """The model whose fields the entry lists, when not its record's."""
    action = entry.action
    if action.startswith("pm.") and action.count(".") == 1:
        label = "exhumations.PostMortemRecord"  # a section saved
    else:
        label = ROW_MODELS.get(action.rsplit(".", 1)[0], "")
    try:
        return apps.get_model(label) if label else None
    except LookupError:
        return None


def _fields(model: type[models.Model] | None) -> dict[str, models.Field[Any, Any]]:
    if model is None:
        return {}
    out: dict[str, models.Field[Any, Any]] = {}
    for field in model._meta.concrete_fields:
        out[field.attname] = field
        out[field.name] = field
    return out


def display_value(field: models.Field[Any, Any] | None, value: Any) -> str:
    """A stored JSON value as the form would show it."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if field is not None:
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return str(_("yes") if value else _("no"))
        if isinstance(field, models.ForeignKey):
            related = field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "Y-m-d H:i")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def readable_changes(entry: AuditEntry) -> list[Change]:
    """The entry's changed fields with labels and displayable values."""
    fields = {**_fields(_model(entry)), **_fields(_row_model(entry))}
    out = []
    for key, old, new in entry.changes():
        if key in HIDDEN:
            continue
        field = fields.get(key)
        label = capfirst(str(field.verbose_name)) if field is not None else key
        shown = display_value(field, old), display_value(field, new)
        if shown[0] != shown[1]:  # e.g. nothing and an empty text
            out.append(Change(key, label, *shown))
    return out


def action_label(entry: AuditEntry) -> str:
    """``grave.withdraw`` as "Grave: withdrawn" in the reader's language."""
    model = _model(entry)
    verb = VERBS.get(entry.action.rsplit(".", 1)[-1])
    if verb is None:
        return entry.action
    noun = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    return f"{noun}: {verb}" if noun else capfirst(str(verb))

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
from imena.core.times import local_time
from imena.lib.vocab import label_of

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


#: Whole actions whose last word alone would not say what happened.
ACTIONS: dict[str, Any] = {
    "pm.read_to_prosecutor": gettext_lazy("Findings read to the prosecutor"),
    "grave.body_withdrawn": gettext_lazy("Body in this grave withdrawn"),
    "grave.exhumation_withdrawn": gettext_lazy("Exhumation of this grave withdrawn"),
    "exhumation.expectation": gettext_lazy("Expected bodies changed"),
    "body.category": gettext_lazy("Civilian or military status set"),
    "missing.add_item": gettext_lazy("Description item added"),
    "missing.photo.add": gettext_lazy("Photo added"),
    "missing.photo.view": gettext_lazy("Photo viewed"),
    "missing.pedigree.add": gettext_lazy("Relative added to the pedigree"),
    "missing.pedigree.parents": gettext_lazy("Parents set in the pedigree"),
    "missing.pedigree.import": gettext_lazy("Family imported"),
    "missing.reference.create": gettext_lazy("Reference sample recorded"),
    "missing.reference.withdraw": gettext_lazy("Reference sample consent withdrawn"),
    "missing.pfif_export": gettext_lazy("Exported as PFIF"),
    "families.access.issue": gettext_lazy("Family access code issued"),
    "families.addition": gettext_lazy("Family sent an addition"),
    "families.addition.handle": gettext_lazy("Family addition handled"),
    "families.consent.withdraw": gettext_lazy("Family withdrew consent"),
    "families.notify": gettext_lazy("Family notified"),
    "odk.submission.receive": gettext_lazy("Submission received"),
    "odk.submission.accept": gettext_lazy("Submission accepted"),
    "odk.submission.reject": gettext_lazy("Submission rejected"),
    "odk.submission.attachments": gettext_lazy("Attachments received"),
    "identification.family_notified": gettext_lazy("Family notified"),
    "identification.override": gettext_lazy("Engine result overridden"),
    "identification.override.withdraw": gettext_lazy("Exclusion override withdrawn"),
}

#: Keys that entries carry beside the record's own fields.
EXTRA_LABELS: dict[str, Any] = {
    "reason": gettext_lazy("reason"),
    "comment": gettext_lazy("comment"),
    "status": gettext_lazy("status"),
    "reviewer": gettext_lazy("reviewer"),
    "proposer": gettext_lazy("proposer"),
    "presumptive": gettext_lazy("presumptive"),
    "warnings_acknowledged": gettext_lazy("warnings acknowledged"),
    "body": gettext_lazy("body"),
    "date": gettext_lazy("date"),
    "member": gettext_lazy("relative"),
    "father": gettext_lazy("father"),
    "mother": gettext_lazy("mother"),
    "parent_of": gettext_lazy("parent of"),
    "profile": gettext_lazy("DNA profile"),
    "loci": gettext_lazy("loci"),
    "consent_scope": gettext_lazy("consent scope"),
    "family": gettext_lazy("family"),
    "members": gettext_lazy("relatives"),
    "typed": gettext_lazy("typed"),
    "sha256": gettext_lazy("SHA-256"),
    "xml_sha256": gettext_lazy("SHA-256"),
    "records": gettext_lazy("records"),
    "form_id": gettext_lazy("form"),
    "version": gettext_lazy("version"),
    "instance_id": gettext_lazy("instance"),
    "device_id": gettext_lazy("device"),
    "attachments": gettext_lazy("attachments"),
    "added": gettext_lazy("added"),
    "case_code": gettext_lazy("family access code"),
    "report": gettext_lazy("family report"),
    "revoked": gettext_lazy("revoked"),
    "addition": gettext_lazy("addition"),
    "attached": gettext_lazy("attached"),
    "kind": gettext_lazy("kind"),
    "photo": gettext_lazy("photo"),
    "use": gettext_lazy("use"),
    "given_at": gettext_lazy("given at"),
    "withdrawn_at": gettext_lazy("withdrawn at"),
    "report_flag": gettext_lazy("report flag"),
    "samples_withdrawn": gettext_lazy("samples withdrawn"),
    "merged_into": gettext_lazy("merged into"),
    "into_case_no": gettext_lazy("merged into"),
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
    "pm.read_to_prosecutor": "exhumations.FindingReading",
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
    if action in ROW_MODELS:
        label = ROW_MODELS[action]
    elif action.startswith("pm.") and action.count(".") == 1:
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


def _vocab_keys(field: models.Field[Any, Any] | None) -> tuple[str, ...]:
    """The vocabulary keys of a field that stores codes without model choices."""
    model = getattr(field, "model", None)
    declared: dict[str, tuple[str, ...]] = getattr(model, "history_vocab", {})
    return declared.get(getattr(field, "name", ""), ())


def _person(user: Any) -> str:
    """A user by name, as the pages show people."""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(name or user)


def _codes(keys: tuple[str, ...], value: Any) -> str:
    """Codes (alone, in lists or in section rows) as their labels."""
    if isinstance(value, dict):
        parts = (_codes(keys, v) for v in value.values() if v not in (None, "", []))
        return ", ".join(parts)
    if isinstance(value, list):
        return (
            "; ".join(_codes(keys, v) for v in value)
            if any(isinstance(v, dict) for v in value)
            else ", ".join(_codes(keys, v) for v in value)
        )
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str) and keys:
        return label_of(keys, value)
    return formats.localize(value) if isinstance(value, float) else str(value)


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
            if related is None:
                return f"#{value}"
            return (
                _person(related) if hasattr(related, "get_full_name") else str(related)
            )
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return local_time(moment)
        if isinstance(field, models.DateField) and isinstance(value, str):
            try:
                return formats.date_format(dt.date.fromisoformat(value), "Y-m-d")
            except ValueError:
                return value
    return _codes(_vocab_keys(field), value)


def _label(key: str, field: models.Field[Any, Any] | None) -> str:
    if field is not None:
        return capfirst(str(field.verbose_name))
    if key in EXTRA_LABELS:
        return capfirst(str(EXTRA_LABELS[key]))
    return key


def _section_item(entry: AuditEntry, fields: dict[str, Any]) -> list[Change] | None:
    """``{"section": "clothing", "item": {...}}``: the row under its section's label."""
    after = entry.after_data if isinstance(entry.after_data, dict) else {}
    field = fields.get(str(after.get("section", "")))
    if set(after) != {"section", "item"} or field is None:
        return None
    return [
        Change(field.name, _label("", field), "—", display_value(field, after["item"]))
    ]


def readable_changes(entry: AuditEntry) -> list[Change]:
    """The entry's changed fields with labels and displayable values."""
    fields = {**_fields(_model(entry)), **_fields(_row_model(entry))}
    item = _section_item(entry, fields)
    if item is not None:
        return item
    out = []
    for key, old, new in entry.changes():
        if key in HIDDEN:
            continue
        field = fields.get(key)
        label = _label(key, field)
        shown = display_value(field, old), display_value(field, new)
        if shown[0] != shown[1]:  # e.g. nothing and an empty text
            out.append(Change(key, label, *shown))
    return out


def action_label(entry: AuditEntry) -> str:
    """``grave.withdraw`` as "Grave: withdrawn" in the reader's language.

    A post-mortem row or section is named by its own model ("Tooth finding:
    added"), not by the body it is written on.
    """
    if entry.action in ACTIONS:
        return str(ACTIONS[entry.action])
    model = _row_model(entry) or _model(entry)
    last = entry.action.rsplit(".", 1)[-1]
    verb = VERBS.get(last)
    if verb is None and model is not None and entry.action.startswith("pm."):
        verb = VERBS["update"]  # a section saved: "pm.biological"
    if verb is None:
        return entry.action
    noun = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    return f"{noun}: {verb}" if noun else capfirst(str(verb))


def actor_label(entry: AuditEntry) -> str:
    """The entry's author by full name when the account has one."""
    if entry.actor_id is not None and entry.actor is not None:
        return _person(entry.actor)
    if entry.actor_name in ("", "system"):
        return str(_("system"))
    return entry.actor_name

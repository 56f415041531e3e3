"""Turning an accepted draft into records, through the apps' own services.

One function per form kind; each returns the records it created. They run
inside ``services.submission_accept``'s transaction, so a failure leaves
nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.burials.models import Grave, Site
from imena.burials.services import grave_create
from imena.evidence import storage as evidence_storage
from imena.evidence.models import EvidenceItem
from imena.evidence.services import (
    custody_record,
    evidence_create,
    evidence_reference,
)
from imena.exhumations.models import Body
from imena.exhumations.services import (
    SECTIONS,
    body_create,
    exhumation_create,
    pm_item_add,
    pm_section_save,
    sample_create,
)
from imena.odk import storage
from imena.odk.errors import AcceptError
from matching.vocabulary import label

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.odk.models import Submission


def geopoint(value: str) -> tuple[float | None, float | None]:
    """Latitude and longitude of an ODK geopoint "lat lon alt accuracy"."""
    parts = (value or "").split()
    if len(parts) < 2:
        return None, None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise AcceptError(
            _("GPS position %(value)r cannot be read.") % {"value": value}
        ) from None


def site_of(submission: Submission, code: str) -> Any:

    site = Site.objects.filter(
        organisation_id=submission.organisation_id, code=code
    ).first()
    if site is None:
        raise AcceptError(
            _("Site %(code)s is not a site of this organisation.") % {"code": code}
        )
    return site


def grave_of(submission: Submission, site: Any, value: str) -> Any:

    grave = (
        Grave.objects.filter(site=site, pk=int(value)).first()
        if value.isdigit()
        else None
    )
    if grave is None:
        raise AcceptError(
            _("Grave %(grave)s is not a grave of site %(site)s.")
            % {"grave": value, "site": site.code}
        )
    return grave


def provenance(submission: Submission) -> str:
    return _("From field submission %(instance)s (device %(device)s).") % {
        "instance": submission.instance_id,
        "device": submission.device_id or "—",
    }


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AcceptError(
            _("%(value)r is not a whole number.") % {"value": value}
        ) from None


def accept_grave_registration(
    *, actor: User, submission: Submission
) -> list[models.Model]:

    data = submission.data
    site = site_of(submission, data.get("site", ""))
    lat, lon = geopoint(data.get("location", ""))
    notes = [provenance(submission)]
    if data.get("grave_marker"):
        notes.append(
            _("Marker: %(marker)s.")
            % {"marker": label("grave_marker", data["grave_marker"])}
        )
    if data.get("notes"):
        notes.append(data["notes"])
    try:
        grave = grave_create(
            actor=actor,
            site=site,
            marker_text=data.get("marker_text", ""),
            kind=data.get("kind") or "individual",
            bodies_expected=_int(data.get("bodies_expected")),
            lat=lat,
            lon=lon,
            notes="\n".join(notes),
        )
    except ValidationError as e:
        raise AcceptError("; ".join(e.messages)) from None
    return [grave]


def _date(value: str) -> Any:

    try:
        return dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        raise AcceptError(_("%(value)r is not a date.") % {"value": value}) from None


def _datetime(value: str) -> Any:

    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise AcceptError(
            _("%(value)r is not a date and time.") % {"value": value}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _validation(e: ValidationError) -> Exception:
    return AcceptError("; ".join(e.messages))


def attach_evidence(
    *,
    actor: User,
    submission: Submission,
    filename: str,
    grave: Any,
    exhumation: Any = None,
    body: Any = None,
    description: str = "",
    context: str = "",
    seal_number: str = "",
) -> Any:
    """Register an attachment as an evidence item (photo, signature), if received.

    ``description`` is only what the field recorder wrote (a caption) or a
    language-neutral number: it is printed as written, also in documents in
    another language. What Imena says about the file (``context``, "Body …
    in situ.") and where it came from go on its first custody entry.
    """

    if not filename:
        return None
    att = submission.attachments.filter(filename=filename).first()
    if att is None:
        raise AcceptError(
            _(
                "Attachment %(name)s has not been received yet; accept the draft once "
                "Collect has sent it."
            )
            % {"name": filename}
        )

    existing = EvidenceItem.objects.filter(
        organisation_id=submission.organisation_id, sha256=att.sha256
    ).first()
    if existing is not None:
        # The same photo sent again (a resend, or one photo for two records):
        # the stored item is used again and its chain of custody says so.
        evidence_reference(
            actor=actor,
            item=existing,
            purpose=f"{context} {provenance(submission)}".strip(),
        )
        return existing

    def chunks() -> Any:
        with storage.open_blob(att.sha256) as handle:
            while chunk := handle.read(storage.CHUNK):
                yield chunk

    try:
        staged = evidence_storage.stage(chunks(), name=att.filename)
    except evidence_storage.EvidenceFileError as e:
        raise AcceptError(str(e)) from None
    try:
        return evidence_create(
            actor=actor,
            grave=grave,
            kind="photo",
            staged=staged,
            exhumation=exhumation,
            body=body,
            description=description,
            notes=f"{context} {provenance(submission)}".strip(),
            seal_number=seal_number,
        )
    except ValidationError as e:
        raise _validation(e) from None


def body_of(submission: Submission, pm_number: str) -> Any:

    body = (
        Body.objects.select_related("grave", "grave__site")
        .filter(organisation_id=submission.organisation_id, pm_number=pm_number.strip())
        .first()
    )
    if body is None:
        raise AcceptError(
            _(
                "No body with post-mortem number %(number)s; accept its exhumation first."
            )
            % {"number": pm_number}
        )
    return body


def accept_exhumation(*, actor: User, submission: Submission) -> list[models.Model]:

    data = submission.data
    site = site_of(submission, data.get("site", ""))
    grave = grave_of(submission, site, data.get("grave", ""))
    bodies = data.get("body", [])
    notes = [provenance(submission)]
    for key in ("grave_type", "commingling"):
        if data.get(key):
            notes.append(f"{key}: {label(key, data[key])}")
    if data.get("mni"):
        notes.append(_("Minimum number of individuals: %(n)s") % {"n": data["mni"]})
    for key, title in (("witnesses", _("Present")), ("family_present", _("Family"))):
        if data.get(key):
            notes.append(f"{title}: {data[key]}")
    if data.get("notes"):
        notes.append(data["notes"])
    records: list[models.Model] = []
    try:
        exhumation = exhumation_create(
            actor=actor,
            grave=grave,
            date=_date(data.get("exhumation_date", "")),
            team=data.get("team", ""),
            conditions=data.get("conditions", ""),
            depth_cm=_int(data.get("depth_cm")),
            container=data.get("container", ""),
            bodies_found=len(bodies),
            notes="\n".join(notes),
        )
        records.append(exhumation)
        for item in bodies:
            body = body_create(
                actor=actor,
                exhumation=exhumation,
                pm_number=item.get("body_no", ""),
                kind=item.get("body_kind") or "body",
                body_position=item.get("body_position", ""),
                articulation=item.get("articulation", ""),
                notes=item.get("body_notes", ""),
            )
            records.append(body)
            if item.get("preservation"):
                pm_section_save(
                    actor=actor,
                    body=body,
                    section="pathology",
                    data={"preservation": item["preservation"]},
                    reason=provenance(submission),
                )
            photo = attach_evidence(
                actor=actor,
                submission=submission,
                filename=item.get("body_photo", ""),
                grave=grave,
                exhumation=exhumation,
                body=body,
                context=_("Body %(number)s in situ.") % {"number": body.pm_number},
            )
            if photo is not None:
                records.append(photo)
        for item in data.get("grave_photo", []):
            photo = attach_evidence(
                actor=actor,
                submission=submission,
                filename=item.get("photo", ""),
                grave=grave,
                exhumation=exhumation,
                description=item.get("caption", ""),
            )
            if photo is not None:
                records.append(photo)
    except ValidationError as e:
        raise _validation(e) from None
    return records


# Model field -> form question, where the names differ.
FORM_NAME = {"sex": "sex_pm"}


def accept_post_mortem(*, actor: User, submission: Submission) -> list[models.Model]:

    data = submission.data
    body = body_of(submission, data.get("body_no", ""))
    reason = provenance(submission)
    ints = {"age_min", "age_max", "stature_min", "stature_max"}
    signs = set(data.get("torture_signs", "").split())
    records: list[models.Model] = [body]
    try:
        for section, fields in SECTIONS.items():
            values: dict[str, Any] = {}
            for name in fields:
                if section == "torture" and name in (
                    "ligature_marks",
                    "bound_hands",
                    "gunshot_wounds",
                    "blunt_force",
                    "fractures",
                    "burn_marks",
                ):
                    if name in signs:
                        values[name] = True
                elif name == "torture_indicators":
                    if data.get(name):
                        values[name] = data[name].split()
                elif name == "findings":
                    head = _("Examined on %(date)s by %(examiner)s.") % {
                        "date": data.get("examined_on", ""),
                        "examiner": data.get("examiner_name", ""),
                    }
                    values[name] = "\n".join(
                        x for x in (head, data.get("notes", "")) if x
                    )
                elif data.get(FORM_NAME.get(name, name)) not in (None, ""):
                    answer = data[FORM_NAME.get(name, name)]
                    values[name] = _int(answer) if name in ints else answer
            if values:
                pm_section_save(
                    actor=actor, body=body, section=section, data=values, reason=reason
                )
        rows = {
            "particulars": (
                "particular",
                {
                    "kind": "particular_kind",
                    "region": "body_region",
                    "side": "body_side",
                    "description": "particular_description",
                },
            ),
            "injuries": (
                "injury",
                {
                    "region": "injury_region",
                    "side": "injury_side",
                    "mechanism": "injury_mechanism",
                    "timing": "injury_timing",
                    "gunshot_wound": "gunshot_wound",
                    "gunshot_range": "gunshot_range",
                    "description": "injury_description",
                },
            ),
            "clothing": (
                "clothing",
                {
                    "category": "clothing_category",
                    "colours": "colour",
                    "pattern": "pattern",
                    "material": "material",
                    "size_eu": "size_eu",
                    "label_text": "label_text",
                },
            ),
            "effects": (
                "effect_item",
                {
                    "category": "effect",
                    "location_on_body": "location_on_body",
                    "label_text": "engraving",
                    "serial": "effect_serial",
                },
            ),
            "dental": (
                "dental",
                {
                    "tooth": "tooth",
                    "status": "tooth_status",
                    "restoration": "restoration",
                    "surfaces": "surface",
                },
            ),
        }
        for section, (repeat, mapping) in rows.items():
            for item in data.get(repeat, []):
                values = {}
                for field_name, answer in mapping.items():
                    value = item.get(answer, "")
                    if field_name == "colours":
                        value = value.split()
                    elif field_name == "surfaces":
                        value = "".join(value.split())
                    elif field_name == "size_eu":
                        value = float(value) if value else None
                    elif field_name == "tooth":
                        value = _int(value)
                    values[field_name] = value
                records.append(
                    pm_item_add(actor=actor, body=body, section=section, data=values)
                )
                for photo_field in ("particular_photo", "effect_photo"):
                    photo = attach_evidence(
                        actor=actor,
                        submission=submission,
                        filename=item.get(photo_field, ""),
                        grave=body.grave,
                        body=body,
                        context=_("Post-mortem photo of %(number)s.")
                        % {"number": body.pm_number},
                    )
                    if photo is not None:
                        records.append(photo)
    except ValidationError as e:
        raise _validation(e) from None
    return records


def accept_sample(*, actor: User, submission: Submission) -> list[models.Model]:

    data = submission.data
    body = body_of(submission, data.get("body_no", ""))
    try:
        sample = sample_create(
            actor=actor,
            body=body,
            sample_id=data.get("sample_no", ""),
            sample_type=data.get("pm_sample", ""),
            bone_element=data.get("bone_element", ""),
            tooth=_int(data.get("tooth")),
            taken_by=data.get("taken_by", ""),
            taken_on=_date(data.get("taken_on", "")),
            lab=data.get("lab", ""),
        )
    except ValidationError as e:
        raise _validation(e) from None
    records: list[models.Model] = [sample]
    photo = attach_evidence(
        actor=actor,
        submission=submission,
        filename=data.get("sample_photo", ""),
        grave=body.grave,
        body=body,
        seal_number=data.get("seal_no", ""),
        description=sample.sample_id,
        context=_("Sealed sample %(id)s.") % {"id": sample.sample_id},
    )
    if photo is not None:
        records.append(photo)
    return records


def accept_custody(*, actor: User, submission: Submission) -> list[models.Model]:

    data = submission.data
    item = (
        EvidenceItem.objects.filter(
            organisation_id=submission.organisation_id,
            number=data.get("item_ref", "").strip(),
        )
        .select_related("grave")
        .first()
    )
    if item is None:
        raise AcceptError(
            _("No evidence item %(number)s in this organisation.")
            % {"number": data.get("item_ref", "")}
        )
    notes = [provenance(submission)]
    notes.append(
        _("Seal intact: %(answer)s.")
        % {"answer": _("yes") if data.get("seal_intact") == "yes" else _("no")}
    )
    if data.get("notes"):
        notes.append(data["notes"])
    try:
        entry = custody_record(
            actor=actor,
            item=item,
            action=data.get("action", ""),
            to_person=data.get("to_person", ""),
            from_person=data.get("from_person", ""),
            at=_datetime(data.get("transferred_at", "")),
            place=data.get("place", ""),
            purpose=data.get("purpose", ""),
            seal_number=data.get("seal_no", ""),
            notes="\n".join(notes),
        )
    except ValidationError as e:
        raise _validation(e) from None
    records: list[models.Model] = [entry]
    for field_name, what in (
        ("signature", _("Signature")),
        ("handover_photo", _("Photo")),
    ):
        photo = attach_evidence(
            actor=actor,
            submission=submission,
            filename=data.get(field_name, ""),
            grave=item.grave,
            description=item.number,
            context=_("%(what)s of the hand-over of %(number)s.")
            % {"what": what, "number": item.number},
        )
        if photo is not None:
            records.append(photo)
    return records


Acceptor = Callable[..., list[models.Model]]

ACCEPTORS: dict[str, Acceptor] = {
    "grave_registration": accept_grave_registration,
    "exhumation": accept_exhumation,
    "post_mortem": accept_post_mortem,
    "sample": accept_sample,
    "custody": accept_custody,
}

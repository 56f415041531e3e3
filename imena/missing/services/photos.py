"""Ante-mortem photos: staged, stored, withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_record, snapshot
from imena.evidence import storage
from imena.lib.withdrawal import withdraw
from imena.missing.models import (
    MissingPerson,
    MissingPhoto,
)

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Ante-mortem photos ----------------------------------------------------------

# Images only, and only those Pillow can check for decompression bombs (HEIC is
# refused: its pixels are not readable here, so its dimensions cannot be checked).
PHOTO_TYPES = frozenset({"jpeg", "png", "tiff"})


def photo_stage(chunks: Any, *, name: str) -> Any:
    """Stream an upload into the evidence store's temporary folder.

    Reuses :func:`imena.evidence.storage.stage` (hashing, size limit,
    magic-byte and extension allow-list, Pillow header check refusing
    decompression bombs); refuses anything that is not a JPEG, PNG or TIFF image.
    """

    staged = storage.stage(chunks, name=name, max_bytes=settings.IMENA_MAX_PHOTO_BYTES)
    if staged.type.name not in PHOTO_TYPES:
        staged.discard()
        raise storage.EvidenceFileError(
            _("%(name)s is not a JPEG, PNG or TIFF photo; nothing was stored.")
            % {"name": name}
        )
    return staged


@transaction.atomic
def missing_photo_create(
    *,
    actor: User,
    person: MissingPerson,
    staged: Any,
    kind: str,
    taken_on: dt.date | None = None,
    consent_use: bool = False,
    description: str = "",
) -> MissingPhoto:
    """Attach a staged photo to a report; the file goes into the store when the
    transaction commits.

    The staged file is discarded on any refusal, and a rollback (here or in an
    outer transaction) stores nothing, so nothing is stored half-way.
    """

    try:
        if taken_on is not None and taken_on > timezone.localdate():
            raise ValidationError({"taken_on": _("The date taken is in the future.")})
        if MissingPhoto.objects.filter(
            person=person, sha256=staged.sha256, withdrawn=False
        ).exists():
            raise ValidationError(
                {
                    "file": _("%(name)s is already attached to this report.")
                    % {"name": staged.original_name}
                }
            )
        photo = MissingPhoto(
            person=person,
            kind=kind,
            taken_on=taken_on,
            consent_use=consent_use,
            description=description,
            sha256=staged.sha256,
            size=staged.size,
            original_name=staged.original_name[:255],
            media_type=staged.type.media_type,
            width=staged.metadata.get("width"),
            height=staged.metadata.get("height"),
            created_by=actor,
        )
        photo.full_clean()
        photo.save()
        audit_record(
            actor=actor,
            action="missing.photo.add",
            obj=person,
            after={
                "photo_id": photo.pk,
                **snapshot(
                    photo,
                    [
                        "kind",
                        "taken_on",
                        "consent_use",
                        "sha256",
                        "size",
                        "original_name",
                        "media_type",
                    ],
                ),
            },
            organisation_id=person.organisation_id,
        )
        storage.commit_on_success(staged)
    except BaseException:
        staged.discard()
        raise
    return photo


@transaction.atomic
def missing_photo_withdraw(
    *, actor: User, photo: MissingPhoto, reason: str
) -> MissingPhoto:
    """Withdraw a photo added in error (or whose use the family withdrew); kept."""
    photo, _changed = withdraw(
        photo,
        actor=actor,
        reason=reason,
        action="missing.photo.withdraw",
        organisation_id=photo.person.organisation_id,
        about=photo.person,
        key={"photo_id": photo.pk},
    )
    return photo

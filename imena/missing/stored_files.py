"""Ante-mortem photos in the store (hook for ``imena evidence verify``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from imena.core.stored_files import StoredFile, creation_hashes
from imena.evidence import storage
from imena.missing.models import MissingPhoto


def stored_files() -> Iterator[StoredFile]:
    def extract(after: dict[str, Any]) -> list[tuple[str, str]]:
        return [(str(after.get("photo_id", "")), after.get("sha256", ""))]

    audited = creation_hashes(["missing.photo.add"], extract)
    photos = MissingPhoto.objects.select_related("person").order_by("pk")
    for photo in photos.iterator(chunk_size=2000):
        yield StoredFile(
            "photo",
            f"photo {photo.pk} of {photo.person.case_no}",
            photo.sha256,
            audited.get(str(photo.pk)),
            storage.path_for(photo.sha256),
        )

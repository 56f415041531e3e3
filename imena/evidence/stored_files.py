"""Evidence files in the store (hook for ``imena evidence verify``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from imena.core.stored_files import StoredFile, creation_hashes
from imena.evidence import storage
from imena.evidence.models import EvidenceItem


def stored_files() -> Iterator[StoredFile]:
    def extract(after: dict[str, Any]) -> list[tuple[str, str]]:
        return [(str(after.get("id", "")), after.get("sha256", ""))]

    audited = creation_hashes(["evidence.create"], extract)
    items = EvidenceItem.objects.exclude(sha256="").order_by("pk")
    for item in items.only("pk", "number", "sha256").iterator(chunk_size=2000):
        yield StoredFile(
            "evidence",
            item.number,
            item.sha256,
            audited.get(str(item.pk)),
            storage.path_for(item.sha256),
        )

"""An upload handler that stops an evidence upload as soon as it is too large."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest


class EvidenceSizeLimitHandler(FileUploadHandler):
    """Count bytes per file; past the limit, stop reading the request.

    Django closes (and so deletes) the partial temporary file; the view sees
    ``request.evidence_too_large`` naming the refused file.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = settings.IMENA_MAX_EVIDENCE_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            if self.request is not None:
                self.request.evidence_too_large = self.file_name  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None


def install(request: HttpRequest) -> None:
    request.upload_handlers.insert(0, EvidenceSizeLimitHandler(request))

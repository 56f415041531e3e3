"""Content-addressed files of submissions under ``EVIDENCE_ROOT/odk``.

A file is streamed to a temporary file beside the store while its SHA-256 is
computed, then renamed to ``<sha[:2]>/<sha>``. The same content is stored once.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from imena.evidence.storage import TYPES, sniff

CHUNK = 1024 * 1024


def root() -> Path:
    return Path(settings.EVIDENCE_ROOT) / "odk"


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256


@dataclass
class Staged:
    tmp: Path | None
    sha256: str
    size: int

    def discard(self) -> None:
        if self.tmp is not None and self.tmp.exists():
            self.tmp.unlink()
        self.tmp = None


def stage(stream: IO[bytes], *, limit: int | None = None) -> Staged:
    """Copy a stream to a temporary file, hashing it; stop past ``limit`` bytes."""
    tmpdir = root() / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=tmpdir)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if limit is not None and size > limit:
                    raise OverflowError(size)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Staged(Path(name), digest.hexdigest(), size)


#: Attachments a browser may show in an <img>: checked by their first bytes,
#: whatever type the client claimed (#19 row 19). Everything else, SVG
#: included, is ``application/octet-stream``.
INLINE_IMAGES = {"jpeg": "image/jpeg", "png": "image/png"}


def content_type_of(head: bytes) -> str:
    """The media type Imena records and serves for a file starting with ``head``."""

    kind = sniff(head)
    if kind in INLINE_IMAGES:
        return INLINE_IMAGES[kind]
    return TYPES[kind].media_type if kind else "application/octet-stream"


def head_of(staged: Staged, size: int = 64) -> bytes:
    path = staged.tmp if staged.tmp is not None else blob_path(staged.sha256)
    with path.open("rb") as f:
        return f.read(size)


def stage_bytes(data: bytes) -> Staged:

    return stage(io.BytesIO(data))


def promote(staged: Staged) -> Path:
    """Move a staged file into the store (a file already there is kept as is).

    Called when the transaction that records the file commits: a file in the
    store is never removed again, since another record may point to it."""
    final = blob_path(staged.sha256)
    if staged.tmp is None:
        return final
    if final.exists():
        staged.discard()
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.tmp, final)
    os.chmod(final, 0o440)
    staged.tmp = None
    return final


def open_blob(sha256: str) -> IO[bytes]:
    return blob_path(sha256).open("rb")

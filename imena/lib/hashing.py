"""SHA-256 of bytes and of files: the one implementation every app uses."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB chunks (bounded memory for any size)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()

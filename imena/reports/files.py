"""Export files: a temporary file with its name, type, size and SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class ExportFile:
    path: Path
    filename: str
    content_type: str
    sha256: str
    size: int
    rows: int
    dataset: str
    fmt: str

    def open(self) -> Any:
        """Open for reading and unlink: the file vanishes once it is closed."""
        handle = self.path.open("rb")
        os.unlink(self.path)
        return handle


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "json": "application/json",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
}


def temp_path(suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="imena-export-", suffix=suffix)
    os.close(fd)
    return Path(name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_file(
    path: Path, *, filename: str, fmt: str, dataset: str, rows: int
) -> ExportFile:
    return ExportFile(
        path=path,
        filename=filename,
        content_type=CONTENT_TYPES[fmt],
        sha256=sha256_of(path),
        size=path.stat().st_size,
        rows=rows,
        dataset=dataset,
        fmt=fmt,
    )

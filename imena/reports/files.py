"""Export files: a temporary file with its name, type, size and SHA-256."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imena.lib.hashing import file_sha256


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
    "gpkg": "application/geopackage+sqlite3",
    "json": "application/json",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
}


def temp_path(suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="imena-export-", suffix=suffix)
    os.close(fd)
    return Path(name)


def export_file(
    path: Path, *, filename: str, fmt: str, dataset: str, rows: int
) -> ExportFile:
    return ExportFile(
        path=path,
        filename=filename,
        content_type=CONTENT_TYPES[fmt],
        sha256=file_sha256(path),
        size=path.stat().st_size,
        rows=rows,
        dataset=dataset,
        fmt=fmt,
    )

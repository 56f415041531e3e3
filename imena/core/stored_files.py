"""Every file Imena keeps in its content-addressed store, for ``imena evidence
verify`` (#19 row 10).

Apps offer ``<app>/stored_files.py::stored_files()`` (found with
``app_hooks``), yielding one :class:`StoredFile` per stored file: the SHA-256
its row names and the SHA-256 its creation audit entry recorded. A file is
good when it exists, hashes to the row's SHA-256, and that SHA-256 is the one
the audit log recorded when the file was stored (a file swapped together with
its row's ``sha256`` is caught by the last check; the keyed chain makes the
audit entry itself unforgeable).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imena.audit.models import AuditEntry
from imena.core.hooks import app_hooks
from imena.lib.hashing import file_sha256


@dataclass(frozen=True)
class StoredFile:
    kind: str  # "evidence", "photo", "ODK XML", "ODK attachment"
    label: str  # how a person finds it: an item number, a case and photo id
    sha256: str  # what its row says
    audited_sha256: str | None  # what its creation audit entry says; None: no entry
    path: Path  # where its store keeps it


def creation_hashes(
    actions: Iterable[str],
    extract: Callable[[dict[str, Any]], Iterable[tuple[str, str]]],
) -> dict[str, str]:
    """{key: sha256} from the ``after`` of every entry with one of ``actions``,
    oldest first wins (the creation, not a later correction)."""
    found: dict[str, str] = {}
    rows = (
        AuditEntry.objects.filter(action__in=list(actions))
        .order_by("seq")
        .values_list("after", flat=True)
        .iterator(chunk_size=2000)
    )
    for after in rows:
        try:
            data = json.loads(after) if after else {}
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        for key, sha in extract(data):
            if isinstance(sha, str) and sha:
                found.setdefault(str(key), sha)
    return found


def stored_files() -> Iterator[StoredFile]:
    for provider in app_hooks("stored_files", "stored_files"):
        yield from provider()


def verify_stored_files() -> tuple[int, list[tuple[StoredFile, str]]]:
    """(files checked, [(file, problem)]); problem is ``missing``, ``changed``,
    ``not in the audit log`` or ``differs from its audit entry``. Each distinct
    file is hashed once."""
    hashes: dict[Path, str | None] = {}
    checked = 0
    problems: list[tuple[StoredFile, str]] = []
    for f in stored_files():
        checked += 1
        if f.path not in hashes:
            hashes[f.path] = file_sha256(f.path) if f.path.is_file() else None
        actual = hashes[f.path]
        if actual is None:
            problems.append((f, "missing"))
        elif actual != f.sha256:
            problems.append((f, "changed"))
        elif f.audited_sha256 is None:
            problems.append((f, "not in the audit log"))
        elif f.audited_sha256 != f.sha256:
            problems.append((f, "differs from its audit entry"))
    return checked, problems

"""The chain head anchored outside the database.

``imena audit anchor`` appends a keyed ``audit.anchor`` entry and then writes
one new file per anchor into an append-only folder (never overwritten: each
file is created exclusively, read-only). An operator ships the folder
elsewhere (rsync to another host, WORM storage). Each file holds the number of
entries, the newest hash, the time and an HMAC-SHA-256 of them with the audit
key, so the database cannot be rolled back, cut short or recomputed without
``imena audit verify`` noticing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from imena.audit import keys
from imena.audit.models import canonical_json

FORMAT = "imena-audit-anchor/1"
_FIELDS = ("format", "seq", "hash", "time", "key_id")


class AnchorError(Exception):
    """An anchor file that cannot be trusted; the message names it."""


@dataclass(frozen=True)
class Anchor:
    name: str
    seq: int
    hash: str
    time: str


def anchor_dir() -> Path:
    return Path(settings.IMENA_AUDIT_ANCHOR_DIR)


def _signed_text(data: dict[str, object]) -> str:
    return canonical_json({k: data[k] for k in _FIELDS})


def read_anchors(directory: Path, known: dict[str, bytes]) -> list[Anchor]:
    """Every ``anchor-*.json`` in ``directory``, each checked against its HMAC."""
    if not directory.is_dir():
        return []
    out: list[Anchor] = []
    for path in sorted(directory.glob("anchor-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("unknown format")
            key = known.get(str(data["key_id"]))
            mac = str(data["hmac"])
            seq, head = int(data["seq"]), str(data["hash"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise AnchorError(f"anchor {path.name} is unreadable: {e}") from None
        if key is None:
            raise AnchorError(
                f"anchor {path.name} is signed with key id {data['key_id']}, "
                "which is not configured"
            )
        if keys.sign(key, _signed_text(data)) != mac:
            raise AnchorError(
                f"anchor {path.name} does not match its HMAC (altered or forged)"
            )
        out.append(Anchor(path.name, seq, head, str(data["time"])))
    return out


def write_anchor(directory: Path, seq: int, head: str) -> tuple[Path, Anchor]:
    """Write the anchor of entry ``seq`` (hash ``head``) into ``directory``:
    created exclusively, read-only, synced. ``audit_anchor`` (in
    ``imena.audit.services``) appends the entry first."""
    kid, key = keys.current_key()
    data: dict[str, object] = {
        "format": FORMAT,
        "seq": seq,
        "hash": head,
        "time": timezone.now().isoformat(timespec="seconds"),
        "key_id": kid,
    }
    data["hmac"] = keys.sign(key, _signed_text(data))
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"anchor-{seq:012d}-{stamp}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, sort_keys=True, indent=1) + "\n")
        f.flush()
        os.fsync(f.fileno())
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path, Anchor(path.name, seq, head, str(data["time"]))

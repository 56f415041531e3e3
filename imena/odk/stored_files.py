"""ODK submission XML and attachments in the store (hook for ``imena evidence verify``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from imena.audit.models import AuditEntry
from imena.core.stored_files import StoredFile
from imena.odk import storage
from imena.odk.models import Attachment, Submission


def _audited() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """XML hashes by submission id and attachment hashes by (submission id,
    file name), from the receipt entry and later ``attachments`` entries."""
    xml: dict[str, str] = {}
    files: dict[tuple[str, str], str] = {}
    rows = (
        AuditEntry.objects.filter(
            action__in=["odk.submission.receive", "odk.submission.attachments"]
        )
        .order_by("seq")
        .values_list("object_id", "after")
        .iterator(chunk_size=2000)
    )
    for object_id, after in rows:
        data = json.loads(after) if after else {}
        if not isinstance(data, dict):
            continue
        if data.get("xml_sha256"):
            xml.setdefault(object_id, str(data["xml_sha256"]))
        named = data.get("attachments") or data.get("added") or {}
        if isinstance(named, dict):
            for name, sha in named.items():
                files.setdefault((object_id, str(name)), str(sha))
    return xml, files


def _path(sha256: str) -> Path:
    try:
        return storage.blob_path(sha256)
    except ValueError:  # not a hex digest: edited in the database
        return storage.root() / "invalid" / "sha256"


def stored_files() -> Iterator[StoredFile]:
    xml, files = _audited()
    subs = Submission.objects.order_by("pk").only("pk", "instance_id", "xml_sha256")
    for sub in subs.iterator(chunk_size=2000):
        yield StoredFile(
            "ODK XML",
            f"submission {sub.instance_id}",
            sub.xml_sha256,
            xml.get(str(sub.pk)),
            _path(sub.xml_sha256),
        )
    atts = Attachment.objects.select_related("submission").order_by("pk")
    for att in atts.iterator(chunk_size=2000):
        yield StoredFile(
            "ODK attachment",
            f"{att.filename} of submission {att.submission.instance_id}",
            att.sha256,
            files.get((str(att.submission_id), att.filename)),
            _path(att.sha256),
        )

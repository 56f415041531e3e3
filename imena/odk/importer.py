"""Import of KoboToolbox / ODK Central exports (CSV or XLSX, plus a media zip).

Each row becomes an instance XML for the current version of the form and goes
through the same checks and storage as a submission from Collect, so imports
land as drafts too. Only questions outside repeats are imported (exports put
repeats on separate sheets).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.conf import settings

from imena.odk import services
from imena.odk.instance import SubmissionError
from imena.odk.xformspec import Node, parse_xform
from linkage.io import DEFAULT_SHEET_LIMITS, JournalFileError, xlsx_iter_rows, xlsx_open

if TYPE_CHECKING:
    from imena.accounts.models import User

MAX_MEMBERS = 10_000
ID_COLUMNS = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_uuid")


class ImportError_(Exception):
    """An export file that cannot be imported; the message names file and row."""


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        # Streamed and bounded like a journal (#19 row 1): size, compression
        # ratio, DTD, real rows x columns.

        try:
            wb = xlsx_open(path.read_bytes(), path.name)
            try:
                ws = wb.worksheets[0]
                it = iter(
                    xlsx_iter_rows(
                        ws, data_only=True, filename=path.name,
                        limits=DEFAULT_SHEET_LIMITS,
                    )
                )  # fmt: skip
                header = [str(h or "") for h in next(it, (0, []))[1]]
                out = [
                    {
                        header[i]: "" if v is None else str(v)
                        for i, v in enumerate(r)
                        if i < len(header)
                    }
                    for _rn, r in it
                ]
            finally:
                wb.close()
        except JournalFileError as e:
            raise ImportError_(str(e)) from None
        return out
    with path.open(encoding="utf-8-sig", newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        return list(csv.DictReader(f, dialect=dialect))


def column_name(header: str) -> str:
    """The question name of an export column: the last part of its group path."""
    for sep in ("/", "-"):
        header = header.rsplit(sep, 1)[-1]
    return header


#: ODK Central splits a geopoint ``location`` into ``location-Latitude``, ...
GEOPOINT_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")


def row_values(row: dict[str, str]) -> dict[str, str]:
    """A row's answers by question name, with Central's split geopoints joined.

    Central writes a geopoint question as four columns (``grave-location-Latitude``,
    ``-Longitude``, ``-Altitude``, ``-Accuracy``); the instance wants one value,
    "lat lon altitude accuracy". Kobo writes the joined value itself.
    """
    values: dict[str, str] = {}
    points: dict[str, dict[str, str]] = {}
    for key, value in row.items():
        if not key:
            continue
        value = (value or "").strip()
        base, sep, part = key.rpartition("-")
        if sep and base and part in GEOPOINT_PARTS:
            points.setdefault(column_name(base), {})[part] = value
            continue
        values[column_name(key)] = value
    for name, parts in points.items():
        if parts.get("Latitude") and parts.get("Longitude"):
            values[name] = " ".join(parts.get(p) or "0" for p in GEOPOINT_PARTS)
        else:
            values.setdefault(name, "")
    return values


def media_from_zip(path: Path, wanted: set[str]) -> dict[str, bytes]:
    """The named files of a media zip, by base name; never extracted to disk paths.

    Zip-slip: member paths are reduced to base names and nothing is written
    under them. Zip bombs: the declared and the actual size of each member are
    capped at IMENA_MAX_SUBMISSION_BYTES, and the member count is capped.
    """
    limit = settings.IMENA_MAX_SUBMISSION_BYTES
    found: dict[str, bytes] = {}
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportError_(f"{path.name}: not a zip file") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ImportError_(f"{path.name}: more than {MAX_MEMBERS} files")
        for info in members:
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if info.is_dir() or base not in wanted:
                continue
            if info.file_size > limit:
                raise ImportError_(f"{path.name}: {base} is larger than {limit} bytes")
            with archive.open(info) as member:
                data = member.read(limit + 1)
            if len(data) > limit:
                raise ImportError_(f"{path.name}: {base} unpacks past {limit} bytes")
            found[base] = data
    return found


def _xml_for(spec_top: Node, values: dict[str, str]) -> str:
    def render(node: Node) -> str:
        parts = []
        for child in node.children:
            if child.kind == "repeat":
                continue
            if child.kind == "group":
                inner = render(child)
                parts.append(f"<{child.name}>{inner}</{child.name}>")
            else:
                parts.append(
                    f"<{child.name}>{escape(values.get(child.name, ''))}</{child.name}>"
                )
        return "".join(parts)

    return render(spec_top)


def import_export(
    *, user: User, form_id: str, path: Path, media: Path | None = None
) -> ImportResult:
    current = services.xforms_current().get(form_id)
    if current is None:
        raise ImportError_(f"unknown form {form_id}")
    spec = parse_xform(current.xml)
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ImportError_(f"{path.name}: cannot be read: {e}") from None
    binary = {n.name for n in spec.nodes.values() if n.is_binary}
    parsed = []
    wanted: set[str] = set()
    for number, row in enumerate(rows, start=2):
        values = row_values(row)
        instance_id = next((row[c] for c in ID_COLUMNS if row.get(c)), "")
        if not instance_id:
            raise ImportError_(f"{path.name} row {number}: no instance id column")
        if not instance_id.startswith("uuid:"):
            instance_id = f"uuid:{instance_id}"
        wanted.update(values[b] for b in binary if values.get(b))
        parsed.append((number, values, instance_id))
    files = media_from_zip(media, wanted) if media else {}
    result = ImportResult()
    for number, values, instance_id in parsed:
        body = _xml_for(spec.top, values)
        xml = (
            f'<{spec.root} id="{escape(form_id)}" version="{escape(current.version)}">'
            f"{body}<meta><instanceID>{escape(instance_id)}</instanceID></meta>"
            f"</{spec.root}>"
        ).encode()
        incoming = [
            services.IncomingFile(values[b], "", io.BytesIO(files[values[b]]))
            for b in binary
            if values.get(b) in files
        ]
        try:
            receipt = services.submission_receive(
                user=user, xml=xml, files=incoming, source="import"
            )
        except SubmissionError as e:
            result.errors.append(f"{path.name} row {number}: {e.message}")
            continue
        if receipt.created:
            result.created += 1
        else:
            result.duplicates += 1
    return result

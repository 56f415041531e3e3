"""The content-addressed evidence store: streaming, sniffing, hashing, EXIF.

A file is copied in chunks from the upload into a temporary file in
``EVIDENCE_ROOT/tmp``, hashed as it goes and refused as soon as it passes the
size limit; an accepted file is moved to ``ab/cd/<sha256>`` and made read-only.
A file already in the store is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024


class EvidenceFileError(ValueError):
    """A file the store refuses; the message names the file and the reason."""


@dataclass(frozen=True)
class FileType:
    name: str
    media_type: str
    kind: str  # EvidenceKind value
    extensions: tuple[str, ...]


TYPES: dict[str, FileType] = {
    t.name: t
    for t in (
        FileType("jpeg", "image/jpeg", "photo", ("jpg", "jpeg")),
        FileType("png", "image/png", "photo", ("png",)),
        FileType("tiff", "image/tiff", "photo", ("tif", "tiff")),
        FileType("heic", "image/heic", "photo", ("heic", "heif")),
        FileType("mp4", "video/mp4", "video", ("mp4", "m4v")),
        FileType("mov", "video/quicktime", "video", ("mov", "qt")),
        FileType("webm", "video/webm", "video", ("webm",)),
        FileType("mp3", "audio/mpeg", "audio", ("mp3",)),
        FileType("m4a", "audio/mp4", "audio", ("m4a",)),
        FileType("wav", "audio/wav", "audio", ("wav",)),
        FileType("ogg", "audio/ogg", "audio", ("ogg", "oga", "opus")),
        FileType("pdf", "application/pdf", "document", ("pdf",)),
    )
}
ALLOWED_EXTENSIONS = sorted({e for t in TYPES.values() for e in t.extensions})

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B "}
_MOV_BRANDS = {b"qt  "}


def sniff(head: bytes) -> str | None:
    """The type name of a file from its first bytes, or None if not allowed."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3") or (
        len(head) > 1
        and head[0] == 0xFF
        and (head[1] & 0xE0) == 0xE0
        and (head[1] & 0x06) != 0
    ):
        return "mp3"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "heic"
        if brand in _M4A_BRANDS:
            return "m4a"
        if brand in _MOV_BRANDS:
            return "mov"
        return "mp4"
    return None


@dataclass
class StagedFile:
    """A file copied into the store's temporary folder, not yet committed."""

    temp_path: Path
    sha256: str
    size: int
    type: FileType
    original_name: str
    metadata: dict[str, Any] = field(default_factory=dict)
    captured_at: dt.datetime | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None

    def discard(self) -> None:
        self.temp_path.unlink(missing_ok=True)


def evidence_root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def path_for(sha256: str) -> Path:
    return evidence_root() / sha256[:2] / sha256[2:4] / sha256


def _extension(name: str) -> str:
    base = os.path.basename(name or "")
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def stage(
    chunks: Iterable[bytes], *, name: str, max_bytes: int | None = None
) -> StagedFile:
    """Copy ``chunks`` into a temporary file, hashing and checking as it goes.

    Raises :class:`EvidenceFileError` (and leaves nothing behind) for a file
    over the size limit, of a type outside the allow-list, whose extension does
    not fit its content, or an image Pillow refuses (decompression bomb).
    """
    limit = settings.IMENA_MAX_EVIDENCE_BYTES if max_bytes is None else max_bytes
    ext = _extension(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise EvidenceFileError(
            _("%(name)s: file type “.%(ext)s” is not accepted; allowed: %(allowed)s.")
            % {
                "name": name,
                "ext": ext or "?",
                "allowed": ", ".join(ALLOWED_EXTENSIONS),
            }
        )
    tmp_dir = evidence_root() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    temp_path = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise EvidenceFileError(
                        _(
                            "%(name)s is larger than the limit of %(limit)s bytes; "
                            "nothing was stored."
                        )
                        % {"name": name, "limit": limit}
                    )
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EvidenceFileError(_("%(name)s is empty.") % {"name": name})
        kind = sniff(head)
        if kind is None:
            raise EvidenceFileError(
                _(
                    "%(name)s: the content is not an accepted photo, video, audio or PDF "
                    "file; nothing was stored."
                )
                % {"name": name}
            )
        ftype = TYPES[kind]
        if ext not in ftype.extensions:
            raise EvidenceFileError(
                _(
                    "%(name)s: the extension “.%(ext)s” does not match its content "
                    "(%(type)s); nothing was stored."
                )
                % {"name": name, "ext": ext, "type": ftype.media_type}
            )
        staged = StagedFile(temp_path, digest.hexdigest(), size, ftype, name)
        if ftype.kind == "photo" and kind != "heic":
            _read_image_metadata(staged)
        return staged
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def commit(staged: StagedFile) -> Path:
    """Move a staged file to its content address; never overwrite a stored file."""
    final = path_for(staged.sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        staged.discard()
        return final
    os.replace(staged.temp_path, final)
    final.chmod(0o444)
    return final


def commit_on_success(staged: StagedFile) -> None:
    """Move ``staged`` to its content address once the current transaction
    commits (at once outside a transaction).

    A rollback, wherever it happens (the caller's validation, a later write, an
    outer transaction), leaves nothing in the store: a file stored before its
    row would stay behind unreferenced, and removing it again could take away a
    file another record (the same photo sent twice) points to. The staged copy
    is the caller's to discard when it raises.
    """
    transaction.on_commit(lambda: commit(staged))


def rendition_store(data: bytes, extension: str) -> str:
    """Store a derived file (a web rendition of an evidence image); its path.

    Renditions are not evidence: they live under ``renditions/`` beside the
    store, named by their own hash, and can be made again from the original.
    """
    sha = hashlib.sha256(data).hexdigest()
    relative = f"renditions/{sha[:2]}/{sha}.{extension}"
    final = evidence_root() / relative
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix="rendition-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp_name, final)
    return relative


def rendition_path(relative: str) -> Path:
    return evidence_root() / relative


# --- EXIF -------------------------------------------------------------------

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 0x9003
_DATETIME = 0x0132
_MAKE = 0x010F
_MODEL = 0x0110


def _read_image_metadata(staged: StagedFile) -> None:
    """Read capture time and GPS position, refusing decompression bombs.

    Only the header is parsed (no pixel decoding). Malformed or implausible
    EXIF values are dropped and named in ``metadata["rejected"]``: the photo is
    evidence even when its metadata is not.
    """
    # Pillow is heavy and only needed for images; imported on use.
    from PIL import Image, UnidentifiedImageError

    name = staged.original_name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(staged.temp_path) as img:
                width, height = img.size
                try:
                    exif = img.getexif()
                except Exception as e:  # hostile EXIF can raise anything
                    staged.metadata["rejected"] = [f"exif: {type(e).__name__}"]
                    exif = None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceFileError(
            _(
                "%(name)s: image dimensions are too large (possible decompression bomb); "
                "nothing was stored."
            )
            % {"name": name}
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise EvidenceFileError(
            _("%(name)s: the image cannot be read; nothing was stored.")
            % {"name": name}
        ) from None
    staged.metadata.update({"width": width, "height": height})
    if exif is not None:
        _parse_exif(staged, exif)


def _text(value: Any, limit: int = 100) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = "".join(ch for ch in value if ch.isprintable()).strip()
    return value[:limit] or None


def _parse_exif(staged: StagedFile, exif: Any) -> None:
    rejected: list[str] = staged.metadata.setdefault("rejected", [])
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except Exception:
        sub = {}
        rejected.append("exif ifd")
    raw_time = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if raw_time is not None:
        text = _text(raw_time, 40)
        try:
            # EXIF time has no zone; it is read as the site's local time.
            local = dt.datetime.strptime(text or "", "%Y:%m:%d %H:%M:%S").replace(
                tzinfo=timezone.get_current_timezone()
            )
            if not 1990 <= local.year <= timezone.now().year + 1:
                raise ValueError("implausible year")
            staged.captured_at = local
            staged.metadata["datetime_original"] = text
        except (ValueError, OverflowError):
            rejected.append("datetime")
    for tag, key in ((_MAKE, "make"), (_MODEL, "model")):
        value = _text(exif.get(tag))
        if value:
            staged.metadata[key] = value
    try:
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:
        gps = {}
        rejected.append("gps ifd")
    if gps:
        try:
            lat = _dms(gps[2], gps.get(1), "NS")
            lon = _dms(gps[4], gps.get(3), "EW")
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("out of range")
            staged.gps_lat, staged.gps_lon = round(lat, 7), round(lon, 7)
        except Exception:
            rejected.append("gps")
    if not rejected:
        staged.metadata.pop("rejected")


def _dms(values: Any, ref: Any, allowed: str) -> float:
    d, m, s = (float(v) for v in values)
    if any(x != x or x < 0 for x in (d, m, s)) or m >= 60 or s >= 60:
        raise ValueError("bad DMS")
    ref_text = _text(ref, 2) or allowed[0]
    if ref_text not in allowed:
        raise ValueError("bad reference")
    value = d + m / 60 + s / 3600
    return -value if ref_text == allowed[1] else value

"""Photos from families: decoded, re-encoded as JPEG without any metadata.

A family's phone photo carries EXIF (GPS position, device, time). Only the
pixels are kept: the image is decoded (refusing decompression bombs), turned
upright by its orientation tag, and written anew as a JPEG with no EXIF, XMP,
ICC or comments. The stripped file is staged for the evidence store, and the
service that records it moves it into the store when its transaction commits.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from imena.evidence import storage

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Formats a family's photo may come in (HEIC cannot be decoded here).
ACCEPTED = frozenset({"JPEG", "PNG", "WEBP", "TIFF"})
#: Longest side kept; larger photos are scaled down (identification needs no more).
MAX_SIDE = 4000


class PhotoError(ValueError):
    """A file that is not a photo this page accepts; the message says why."""


@dataclass(frozen=True)
class StrippedPhoto:
    sha256: str
    size: int
    width: int
    height: int
    #: The re-encoded file, in the store's temporary folder until committed.
    staged: storage.StagedFile
    media_type: str = "image/jpeg"


def discard(photos: Iterable[StrippedPhoto]) -> None:
    """Remove staged photos that will not be recorded."""
    for photo in photos:
        photo.staged.discard()


@contextmanager
def discarded_on_error(photos: Iterable[StrippedPhoto]) -> Iterator[None]:
    """Discard the staged ``photos`` if the block raises (a refusal, a failed
    write or commit): nothing of a report that was not recorded is kept."""
    try:
        yield
    except BaseException:
        discard(photos)
        raise


def strip_and_stage(upload: IO[bytes], *, size: int, name: str) -> StrippedPhoto:
    """Re-encode ``upload`` without metadata and stage it for the evidence store.

    Nothing is in the store until a service records the photo and its
    transaction commits; whoever does not record it discards it."""
    limit = settings.IMENA_FAMILY_PHOTO_BYTES
    if size > limit:
        raise PhotoError(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": limit // 1024**2}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as im:
                if im.format not in ACCEPTED:
                    raise PhotoError(
                        _("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": name}
                    )
                im.load()
                upright = ImageOps.exif_transpose(im)
                rgb = upright.convert("RGB")
    except PhotoError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise PhotoError(
            _("%(name)s could not be read as a photo.") % {"name": name}
        ) from None
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    # No exif=, icc_profile= or comment=: Pillow writes none of them.
    rgb.save(out, format="JPEG", quality=88, optimize=True)
    data = out.getvalue()
    staged = storage.stage([data], name="photo.jpg", max_bytes=len(data))
    return StrippedPhoto(staged.sha256, staged.size, rgb.width, rgb.height, staged)

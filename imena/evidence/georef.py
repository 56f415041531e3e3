"""Georeferenced images (#17): world files, GeoTIFF tags, and a web rendition.

An orthophoto arrives as a GeoTIFF (its georeferencing in TIFF tags) or as a
PNG/JPEG with a world file (``.pgw``/``.jgw``/``.wld``) and an EPSG code. The
browser shows neither TIFF nor a rotated or projected image, so the map gets a
rendition warped to Web Mercator (what Leaflet draws in), axis-aligned there,
whose WGS84 bounds make an exact ``L.imageOverlay``.

Only headers are read before the size checks: Pillow's decompression-bomb
limit (``Image.MAX_IMAGE_PIXELS``) refuses an image whose header claims too
many pixels before any pixel is decoded.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# A transform maps pixel corners (col, row; 0 at the upper-left corner of the
# upper-left pixel) to the source CRS: x = a*col + b*row + c; y = d*col + e*row + f.
Transform = tuple[float, float, float, float, float, float]

WORLD_FILE_EXTENSIONS = ("pgw", "jgw", "wld", "tfw", "pngw", "jpgw", "tifw")
RENDITION_TYPE = "image/webp"
# Warping cells per side: the projection is smooth, so an 8 x 8 mesh of
# affine pieces is within a small fraction of a pixel over a site.
_MESH = 8
_WEB_MERCATOR = 3857
# Pixel formats of a picture (8 bits a channel); elevation or 16-bit rasters are
# refused rather than drawn as noise.
_MODES = {
    "1",
    "L",
    "LA",
    "La",
    "P",
    "PA",
    "RGB",
    "RGBA",
    "RGBa",
    "RGBX",
    "CMYK",
    "YCbCr",
}

# GeoTIFF tags and keys (OGC GeoTIFF 1.1).
_PIXEL_SCALE = 33550
_TIEPOINT = 33922
_MODEL_TRANSFORMATION = 34264
_GEO_KEYS = 34735
_MODEL_TYPE = 1024
_RASTER_TYPE = 1025
_GEOGRAPHIC_TYPE = 2048
_PROJECTED_TYPE = 3072
_PIXEL_IS_POINT = 2
_USER_DEFINED = 32767


class OrthophotoError(ValueError):
    """A file or a georeference that is refused; the message says why."""


@dataclass(frozen=True)
class Rendition:
    data: bytes
    media_type: str
    width: int
    height: int
    south: float
    west: float
    north: float
    east: float


def parse_world_file(text: str) -> Transform:
    """The transform of an ESRI world file (six numbers, one a line).

    The file gives A, D, B, E, C, F, with (C, F) the centre of the upper-left
    pixel; the transform returned is for pixel corners.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 6:
        raise OrthophotoError(
            _("The world file must have six numbers, one a line; it has %(n)s lines.")
            % {"n": len(lines)}
        )
    try:
        a, d, b, e, c, f = (float(line.replace(",", ".")) for line in lines)
    except ValueError:
        raise OrthophotoError(
            _("The world file must have six numbers, one a line.")
        ) from None
    if not all(math.isfinite(v) for v in (a, b, c, d, e, f)) or a * e - b * d == 0:
        raise OrthophotoError(_("The world file's pixel size is zero or not a number."))
    return (a, b, c - (a + b) / 2, d, e, f - (d + e) / 2)


def _geo_keys(tags: Mapping[int, Any]) -> dict[int, int]:
    raw = tags.get(_GEO_KEYS)
    if not raw or len(raw) < 4:
        return {}
    keys: dict[int, int] = {}
    for i in range(4, 4 + 4 * int(raw[3]), 4):
        entry = raw[i : i + 4]
        if len(entry) == 4 and entry[1] == 0:  # value stored in the entry itself
            keys[int(entry[0])] = int(entry[3])
    return keys


def geotiff_georeference(
    tags: Mapping[int, Any],
) -> tuple[Transform | None, int | None]:
    """The transform and EPSG code in a GeoTIFF's tags (either may be missing)."""
    keys = _geo_keys(tags)
    transform: Transform | None = None
    matrix = tags.get(_MODEL_TRANSFORMATION)
    scale, tie = tags.get(_PIXEL_SCALE), tags.get(_TIEPOINT)
    if matrix and len(matrix) >= 8:
        m = [float(v) for v in matrix]
        transform = (m[0], m[1], m[3], m[4], m[5], m[7])
    elif scale and tie and len(scale) >= 2 and len(tie) >= 6:
        sx, sy = float(scale[0]), float(scale[1])
        i, j, x, y = float(tie[0]), float(tie[1]), float(tie[3]), float(tie[4])
        transform = (sx, 0.0, x - i * sx, 0.0, -sy, y + j * sy)
    if transform is not None and keys.get(_RASTER_TYPE) == _PIXEL_IS_POINT:
        # The tie point is a pixel's centre, not its corner: move half a pixel.
        a, b, c, d, e, f = transform
        transform = (a, b, c - (a + b) / 2, d, e, f - (d + e) / 2)
    code = keys.get(_PROJECTED_TYPE) or keys.get(_GEOGRAPHIC_TYPE)
    epsg = code if code and code != _USER_DEFINED else None
    return transform, epsg


def crs_for(epsg: int) -> Any:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_epsg(epsg)
    except CRSError:
        raise OrthophotoError(
            _("EPSG:%(code)s is not a coordinate reference system this server knows.")
            % {"code": epsg}
        ) from None
    if not (crs.is_projected or crs.is_geographic):
        raise OrthophotoError(
            _("EPSG:%(code)s is not a projected or geographic coordinate system.")
            % {"code": epsg}
        )
    return crs


def open_image(path: Path, name: str) -> Any:
    """Open an image lazily (header only), refusing decompression bombs."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise OrthophotoError(
            _("%(name)s: the image has too many pixels (limit %(limit)s).")
            % {"name": name, "limit": Image.MAX_IMAGE_PIXELS}
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise OrthophotoError(
            _("%(name)s: the image cannot be read.") % {"name": name}
        ) from None


def _pixel(transform: Transform, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = transform
    det = a * e - b * d
    x, y = x - c, y - f
    return ((e * x - b * y) / det, (a * y - d * x) / det)


def render(
    image: Any, transform: Transform, epsg: int, *, max_side: int = 2048
) -> Rendition:
    """Warp ``image`` to Web Mercator; the rendition's WGS84 bounds are exact.

    The image's edges are projected to find its box in Web Mercator; the box is
    drawn at about the source resolution (at most ``max_side`` pixels a side),
    each mesh cell taking its pixels from the projected quadrilateral of the
    source. Outside the source the rendition is transparent.
    """
    from PIL import Image
    from pyproj import Transformer

    if image.mode not in _MODES:
        raise OrthophotoError(
            _(
                "The image's pixel format (%(mode)s) is not an 8-bit picture; "
                "export the orthophoto as 8-bit RGB or RGBA."
            )
            % {"mode": image.mode}
        )
    source = crs_for(epsg)
    to_web = Transformer.from_crs(source, _WEB_MERCATOR, always_xy=True)
    from_web = Transformer.from_crs(_WEB_MERCATOR, source, always_xy=True)
    to_wgs84 = Transformer.from_crs(_WEB_MERCATOR, 4326, always_xy=True)
    width, height = image.size
    a, b, c, d, e, f = transform
    edge: list[tuple[float, float]] = []
    steps = 16
    for k in range(steps + 1):
        t = k / steps
        edge += [
            (t * width, 0),
            (t * width, height),
            (0, t * height),
            (width, t * height),
        ]
    xs, ys = to_web.transform(
        [a * col + b * row + c for col, row in edge],
        [d * col + e * row + f for col, row in edge],
    )
    if not all(math.isfinite(v) for v in (*xs, *ys)):
        raise OrthophotoError(
            _(
                "The image's corners do not convert to latitude and longitude with "
                "EPSG:%(code)s; check the EPSG code."
            )
            % {"code": epsg}
        )
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    # About the source resolution: the same number of pixels over the box.
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    cx, cy = to_web.transform(
        [a * col + b * row + c for col, row in corners],
        [d * col + e * row + f for col, row in corners],
    )
    area = 0.5 * abs(sum(cx[i] * cy[i - 1] - cx[i - 1] * cy[i] for i in range(4)))
    pixel = math.sqrt(area / (width * height)) if area > 0 else 0
    if pixel <= 0:
        raise OrthophotoError(_("The image's georeference has no extent."))
    scale = max((x1 - x0) / pixel, (y1 - y0) / pixel) / max_side
    pixel *= max(scale, 1.0)
    out_w = max(1, min(max_side, round((x1 - x0) / pixel)))
    out_h = max(1, min(max_side, round((y1 - y0) / pixel)))
    # Shrink the source first (box filter) when it is much finer than the output.
    shrink = max(1, int(pixel / math.sqrt(area / (width * height))))
    picture = image.convert("RGBA")
    if shrink > 1:
        picture = picture.reduce(shrink)
    sx, sy = picture.width / width, picture.height / height

    def source_pixel(u: float, v: float) -> tuple[float, float]:
        wx = x0 + (x1 - x0) * u / out_w
        wy = y1 - (y1 - y0) * v / out_h
        px, py = from_web.transform(wx, wy)
        col, row = _pixel(transform, px, py)
        return (col * sx, row * sy)

    mesh = []
    for i in range(_MESH):
        for j in range(_MESH):
            u0, u1 = out_w * i // _MESH, out_w * (i + 1) // _MESH
            v0, v1 = out_h * j // _MESH, out_h * (j + 1) // _MESH
            if u1 <= u0 or v1 <= v0:
                continue
            quad = (
                *source_pixel(u0, v0),
                *source_pixel(u0, v1),
                *source_pixel(u1, v1),
                *source_pixel(u1, v0),
            )
            mesh.append(((u0, v0, u1, v1), quad))
    warped = picture.transform(
        (out_w, out_h),
        Image.Transform.MESH,
        mesh,
        resample=Image.Resampling.BILINEAR,
        fillcolor=(0, 0, 0, 0),
    )
    buffer = io.BytesIO()
    warped.save(buffer, "WEBP", quality=85, method=4)
    west, south = to_wgs84.transform(x0, y0)
    east, north = to_wgs84.transform(x1, y1)
    return Rendition(
        buffer.getvalue(),
        RENDITION_TYPE,
        out_w,
        out_h,
        round(south, 9),
        round(west, 9),
        round(north, 9),
        round(east, 9),
    )

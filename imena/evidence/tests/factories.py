"""Test data: synthetic only. Builders for files the evidence store sees."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg_with_exif(
    *,
    when: str = "2022:09:16 10:30:00",
    lat: tuple[float, float, float] = (49.0, 11.0, 24.0),
    lon: tuple[float, float, float] = (37.0, 16.0, 48.0),
    colour: tuple[int, int, int] = (120, 90, 60),
    gps_ref: str = "N",
) -> bytes:
    img = Image.new("RGB", (32, 24), colour)
    exif = Image.Exif()
    exif[0x010F] = "SyntheticCam"
    exif.get_ifd(0x8769)[0x9003] = when
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = gps_ref, lat, "E", lon
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buf, "PNG")
    return buf.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""
    data = bytearray(png((1, 1)))
    # IHDR starts at byte 8: length(4) type(4) width(4) height(4) ... crc(4)
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF)
    return bytes(data)


def mp4_header(extra: int = 0) -> bytes:
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * (64 + extra)


def utm37n(lat: float, lon: float) -> tuple[float, float]:
    """Easting and northing of a point in UTM zone 37N (EPSG:32637)."""
    from pyproj import Transformer

    e, n = Transformer.from_crs(4326, 32637, always_xy=True).transform(lon, lat)
    return float(e), float(n)


def _chequer(pixels: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A synthetic picture: squares of two colours, a red cross at the centre."""
    w, h = pixels
    img = Image.new(mode, pixels, (200, 190, 150))
    for x in range(0, w, 20):
        for y in range(0, h, 20):
            if (x // 20 + y // 20) % 2:
                img.paste((120, 140, 90), (x, y, x + 20, y + 20))
    img.paste((220, 0, 0), (w // 2 - 1, 0, w // 2 + 1, h))
    img.paste((220, 0, 0), (0, h // 2 - 1, w, h // 2 + 1))
    return img


def orthophoto_png(
    lat: float,
    lon: float,
    *,
    metres: float = 40.0,
    pixels: tuple[int, int] = (200, 160),
) -> tuple[bytes, str]:
    """A PNG centred on (lat, lon) and its world file in UTM 37N, ``metres`` wide."""
    e, n = utm37n(lat, lon)
    size = metres / pixels[0]
    left, top = e - metres / 2, n + size * pixels[1] / 2
    # A world file names the centre of the upper-left pixel.
    world = "\n".join(
        f"{v:.6f}" for v in (size, 0.0, 0.0, -size, left + size / 2, top - size / 2)
    )
    buf = io.BytesIO()
    _chequer(pixels).save(buf, "PNG")
    return buf.getvalue(), world + "\n"


def orthophoto_geotiff(
    lat: float,
    lon: float,
    *,
    metres: float = 40.0,
    pixels: tuple[int, int] = (200, 160),
    epsg: int | None = 32637,
) -> bytes:
    """A GeoTIFF centred on (lat, lon) in UTM 37N: pixel scale, tie point, keys."""
    from PIL import TiffImagePlugin, TiffTags

    e, n = utm37n(lat, lon)
    size = metres / pixels[0]
    left, top = e - metres / 2, n + size * pixels[1] / 2
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[33550] = (size, size, 0.0)
    ifd.tagtype[33550] = TiffTags.DOUBLE
    ifd[33922] = (0.0, 0.0, 0.0, left, top, 0.0)
    ifd.tagtype[33922] = TiffTags.DOUBLE
    keys = [1, 1, 0, 2, 1024, 0, 1, 1, 1025, 0, 1, 1]
    if epsg is not None:
        keys[3] = 3
        keys += [3072, 0, 1, epsg]
    ifd[34735] = tuple(keys)
    ifd.tagtype[34735] = TiffTags.SHORT
    buf = io.BytesIO()
    _chequer(pixels).save(buf, "TIFF", tiffinfo=ifd)
    return buf.getvalue()

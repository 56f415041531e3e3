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

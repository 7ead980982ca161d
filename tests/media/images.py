"""Image bytes for photo tests (real encoders, no fixtures on disk)."""

from __future__ import annotations

import io
import struct
import zlib

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def camera_exif(orientation: int = 1, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Suzuki Camera Works"  # Make
    exif[0x0110] = "Carry DA63T"  # Model
    exif[0x0131] = "FirmWare 1.0"  # Software
    exif[0x0132] = "2026:11:26 10:00:00"  # DateTime
    exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {
            1: "N",
            2: (35.0, 40.0, 12.5),
            3: "W",
            4: (97.0, 30.0, 1.25),
            5: b"\x00",
            6: 350.0,
        }
    return exif


def jpeg_bytes(size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (180, 40, 40), **kw) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=85, **kw)
    return buf.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (1200, 900), orientation: int = 1) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, (90, 120, 160))
    img.save(buf, "JPEG", quality=85, exif=camera_exif(orientation=orientation), xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    return buf.getvalue()


def two_colour_jpeg(orientation: int) -> bytes:
    """800x400 stored: left half red, right half blue; EXIF orientation as given."""
    img = Image.new("RGB", (800, 400), (255, 0, 0))
    img.paste((0, 0, 255), (400, 0, 800, 400))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95, exif=camera_exif(orientation=orientation, gps=False))
    return buf.getvalue()


def png_bytes(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (10, 200, 30) if mode == "RGB" else (10, 200, 30, 128)).save(buf, "PNG")
    return buf.getvalue()


def webp_bytes(size: tuple[int, int] = (640, 480)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(buf, "WEBP")
    return buf.getvalue()


def heic_bytes(size: tuple[int, int] = (1024, 768)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 160, 20)).save(buf, format="HEIF", quality=60)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid-looking PNG header declaring 10 gigapixels, with a tiny body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def tiff_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (1, 2, 3)).save(buf, "TIFF")
    return buf.getvalue()


def gif_animated_bytes() -> bytes:
    buf = io.BytesIO()
    frames = [Image.new("P", (64, 64), i) for i in range(3)]
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def animated_webp_bytes() -> bytes:
    buf = io.BytesIO()
    frames = [Image.new("RGB", (64, 64), (i * 50, 0, 0)) for i in range(3)]
    frames[0].save(buf, "WEBP", save_all=True, append_images=frames[1:])
    return buf.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b"<script>alert(document.cookie)</script><rect width='100' height='100'/></svg>"
)
HTML_TAIL = b"<html><body><script>alert(document.cookie)</script></body></html>"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

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


# --- metadata that only rides along (defect 7: decide from what is served) -------------

PLIST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
    b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict><key>com.apple.print'
    b".PageFormat.PMHorizontalRes</key><real>72</real></dict></plist>\n"
)
HTML_COMMENT = b"<img src=x onerror=alert(1)>"


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """`jpeg` with `segments` inserted right after its SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def jpeg_with_plist(size: tuple[int, int] = (1200, 900)) -> bytes:
    """Like Pillow's Tests/images/truncated_app14.jpg: a Photoshop file whose metadata holds an Apple
    print plist (`<!DOCTYPE plist`), in XMP and in a Photoshop APP13 resource, and whose Adobe APP14
    segment is cut short (length 11, no transform byte)."""
    resource = b"8BIM" + struct.pack(">H", 0x0421) + b"\x00\x00" + struct.pack(">I", len(PLIST)) + PLIST
    return with_segments(
        jpeg_bytes(size),
        jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + PLIST),
        jpeg_segment(0xED, b"Photoshop 3.0\x00" + resource),
        jpeg_segment(0xEE, b"Adobe\x00\x64\x80\x00"),
    )


def jpeg_with_html_comment(size: tuple[int, int] = (1800, 1200)) -> bytes:
    """A real camera-like JPEG (EXIF with GPS, XMP, ICC) whose COM comment and XMP carry HTML."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 120, 160)).save(
        buf,
        "JPEG",
        quality=85,
        exif=camera_exif(orientation=1),
        xmp=b"<x:xmpmeta>" + HTML_COMMENT + b"</x:xmpmeta>",
        comment=HTML_COMMENT,
    )
    return with_segments(buf.getvalue(), jpeg_segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + icc))


def jpeg_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A real small JPEG whose frame header (SOF) declares 3.6 gigapixels."""
    data = bytearray(jpeg_bytes((64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_markers(data: bytes) -> list[int]:
    """Every marker of a JPEG in file order, walking segment lengths and entropy-coded data."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, pos = [0xD8], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"no marker at {pos}"
        while data[pos] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos]
        pos += 1
        markers.append(marker)
        if marker == 0xD9:  # EOI
            assert pos == len(data), "bytes after EOI"
            return markers
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        length = struct.unpack(">H", data[pos : pos + 2])[0]
        pos += length
        if marker == 0xDA:  # SOS: skip entropy-coded data up to the next real marker
            while not (data[pos] == 0xFF and data[pos + 1] not in (0x00, *range(0xD0, 0xD8))):
                pos += 1
    raise AssertionError("no EOI")


def webp_chunks(data: bytes) -> list[bytes]:
    """The FourCCs of a WebP's RIFF chunks (VP8X's flags are not trusted: every chunk is listed)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    end = 8 + struct.unpack("<I", data[4:8])[0]
    assert end == len(data), "bytes after the RIFF container"
    chunks, pos = [], 12
    while pos < end:
        kind, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks.append(kind)
        pos += 8 + size + (size & 1)
    return chunks

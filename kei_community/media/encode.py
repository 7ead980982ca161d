"""Encoders for everything the site serves from a photo: pixels, and no metadata at all.

The renditions (every width, WebP and JPEG) and the placeholder are the only bytes of a
photo that ever leave the server (originals are private), so this is where "no EXIF, no
GPS, no XMP, no ICC, no comment" is made true by construction:

- every save passes empty metadata explicitly (Pillow would otherwise fall back to the
  image's own `info`, e.g. a JPEG's COM comment);
- the JPEG bytes are then walked marker by marker and every APP1-APP15 and COM segment is
  dropped, so only what the encoder itself must write stays (JFIF APP0, tables, frame, scans);
- colour: the caller converts an embedded ICC profile to sRGB first (processing._to_srgb);
  the output carries no profile, which browsers read as sRGB.
"""

from __future__ import annotations

import io
import struct

from PIL import Image

# APP1 (EXIF, XMP), APP2 (ICC, MPF), APP3-APP15 (APP13 Photoshop/IPTC, APP14 Adobe, ...), COM.
METADATA_MARKERS = frozenset({*range(0xE1, 0xF0), 0xFE})
_SOS = 0xDA
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-RST7: no length field


def strip_jpeg_metadata(data: bytes) -> bytes:
    """`data` without its APP1-APP15 and COM segments (those before the first scan).

    Segments are found by walking the length fields from SOI, never by searching for bytes.
    Everything from the first SOS on is entropy-coded image data and is kept as it is.
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(data[:2])
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError(f"no JPEG marker at offset {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            out += data[pos : pos + 2]
            pos += 2
            continue
        if marker == _SOS:
            out += data[pos:]
            return bytes(out)
        end = pos + 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker not in METADATA_MARKERS:
            out += data[pos:end]
        pos = end
    raise ValueError("JPEG without image data")


def _pixels_only(img: Image.Image) -> Image.Image:
    img.info = {}
    if hasattr(img, "encoderinfo"):
        img.encoderinfo = {}
    return img


def jpeg(img: Image.Image, **options: object) -> bytes:
    """Encode `img` (RGB or L) as a metadata-free JPEG."""
    buf = io.BytesIO()
    _pixels_only(img).save(buf, "JPEG", exif=b"", icc_profile=None, comment=b"", **options)
    return strip_jpeg_metadata(buf.getvalue())


def webp(img: Image.Image, **options: object) -> bytes:
    """Encode `img` as a WebP without EXIF, XMP or ICCP chunks."""
    buf = io.BytesIO()
    _pixels_only(img).save(buf, "WEBP", exif=b"", icc_profile=None, xmp=b"", **options)
    return buf.getvalue()

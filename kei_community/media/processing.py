"""The image work of the pipeline: orient, strip metadata, resize, encode.

Pure functions over bytes so the task, the reprocess command and the benchmark
share them. Nothing here touches the database.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps

from kei_community.media.models import RENDITION_WIDTHS
from kei_community.media.validation import ALLOWED_FORMATS, _flatten, make_placeholder

logger = logging.getLogger(__name__)

WEBP_QUALITY = 80
JPEG_QUALITY = 82

_SRGB = None


class UnusableImage(Exception):
    """The original cannot be decoded: retrying will not help."""


@dataclass
class Rendered:
    width: int
    height: int
    placeholder: str
    # width -> {"webp": bytes, "jpeg": bytes, "height": int}
    files: dict[int, dict] = field(default_factory=dict)


def _srgb_profile():  # type: ignore[no-untyped-def]
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.createProfile("sRGB")
    return _SRGB


def _to_srgb(img: Image.Image) -> Image.Image:
    """Convert an embedded ICC profile to sRGB, then drop the profile."""
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(img, src, _srgb_profile(), outputMode=out_mode)
            if converted is not None:
                img = converted
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            logger.info("ICC conversion skipped: %s", exc)
    return img


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block only means "no orientation"
        return 1


def target_widths(width: int) -> list[int]:
    """The fixed widths not larger than the image (never upscale); tiny images keep their width."""
    return [w for w in RENDITION_WIDTHS if w <= width] or [width]


def _clean(img: Image.Image) -> Image.Image:
    """A pixel-only copy: no EXIF, GPS, XMP, ICC, comments or other info."""
    img.info = {}
    if hasattr(img, "encoderinfo"):
        img.encoderinfo = {}
    return img


def render(data: bytes) -> Rendered:
    """Decode `data`, apply EXIF orientation, strip all metadata and encode every rendition."""
    try:
        src = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        orientation = _orientation(src)
        # JPEG: decode at 1/2, 1/4 or 1/8 scale when that still leaves >= the largest width.
        largest = RENDITION_WIDTHS[-1]
        src.draft("RGB", (1, largest) if orientation in (5, 6, 7, 8) else (largest, 1))
        src.load()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnusableImage(str(exc)) from exc
    img = ImageOps.exif_transpose(src) or src
    img = _to_srgb(img)
    img = _flatten(img) if img.mode != "RGB" else img
    img = _clean(img)
    result = Rendered(width=img.size[0], height=img.size[1], placeholder=make_placeholder(img))

    current = img
    for w in sorted(target_widths(img.size[0]), reverse=True):
        h = max(1, round(current.size[1] * w / current.size[0]))
        resized = (
            current if current.size[0] == w else current.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        resized = _clean(resized)
        webp, jpeg = io.BytesIO(), io.BytesIO()
        resized.save(webp, "WEBP", quality=WEBP_QUALITY, method=4)
        resized.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        result.files[w] = {"webp": webp.getvalue(), "jpeg": jpeg.getvalue(), "height": resized.size[1]}
        current = resized
    return result

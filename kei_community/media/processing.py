"""The image work of the pipeline: orient, convert to sRGB, resize, encode without metadata.

Pure functions over bytes so the task, the reprocess command and the benchmark
share them. Nothing here touches the database.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageCms

from kei_community.media import encode
from kei_community.media.models import RENDITION_WIDTHS
from kei_community.media.validation import ALLOWED_FORMATS, _flatten, make_placeholder, normalise_mode

logger = logging.getLogger(__name__)

WEBP_QUALITY = 80
JPEG_QUALITY = 82
# libwebp effort: 3 gives files within ~1% of 4 at about 3/4 of the time (measured on 1600 px photos).
WEBP_METHOD = 3

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


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _resize(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    if img.size == size:
        return img
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def render(data: bytes, progress: Callable[[], None] | None = None) -> Rendered:
    """Decode `data`, apply EXIF orientation, strip all metadata and encode every rendition.

    `progress` is called after decoding and before each rendition (the task renews its claim on the
    photo there; it may raise to stop the work).

    Memory: the full-size image is scaled down to the largest rendition *before* it is
    rotated and colour-converted, so only one full-size buffer is alive at a time.
    """
    progress = progress or (lambda: None)
    try:
        src = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        orientation = _orientation(src)
        sideways = orientation in (5, 6, 7, 8)
        # JPEG: decode at 1/2, 1/4 or 1/8 scale when that still leaves >= the largest width.
        largest = RENDITION_WIDTHS[-1]
        src.draft("RGB", (1, largest) if sideways else (largest, 1))
        src.load()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnusableImage(str(exc)) from exc
    progress()
    icc = src.info.get("icc_profile")
    img: Image.Image = src
    img = normalise_mode(img)

    stored_w, stored_h = img.size
    shown_w = stored_h if sideways else stored_w
    widths = sorted(target_widths(shown_w), reverse=True)
    scale = widths[0] / shown_w
    first = _resize(img, (max(1, round(stored_w * scale)), max(1, round(stored_h * scale))))
    if first is not src:
        src.close()
    del img, src
    if orientation in _TRANSPOSE:
        first = first.transpose(_TRANSPOSE[orientation])
    if icc:
        first.info["icc_profile"] = icc
        first = _to_srgb(first)
    if first.mode != "RGB":
        first = _flatten(first)
    first = _clean(first)

    result = Rendered(width=first.size[0], height=first.size[1], placeholder="")
    current = first
    for w in widths:
        progress()
        h = max(1, round(current.size[1] * w / current.size[0]))
        resized = _clean(_resize(current, (w, h)))
        result.files[w] = {
            "webp": encode.webp(resized, quality=WEBP_QUALITY, method=WEBP_METHOD),
            "jpeg": encode.jpeg(resized, quality=JPEG_QUALITY, optimize=True, progressive=True),
            "height": resized.size[1],
        }
        current = resized
    result.placeholder = make_placeholder(current)
    return result

"""Synchronous, content-based validation of an uploaded photo.

The file name and the browser's content type are ignored: the bytes are opened
with a format allow-list, the pixel count is checked from the header before any
decoding, and the file is verified and then fully decoded to catch truncation.

What Pillow's allow-listed decoders accept is accepted; the bytes are not searched
for markup. Originals are never served, and everything that is (the renditions and
the placeholder) is re-encoded from the pixels alone with every metadata segment
dropped (kei_community.media.encode), so a comment, an XMP packet or bytes after the
image's end cannot reach a browser.
"""

from __future__ import annotations

import base64
import io
import struct
import warnings
from dataclasses import dataclass
from typing import IO, Any

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

from kei_community.media import encode

pillow_heif.register_heif_opener()

ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPTED_LABEL = "JPEG, PNG, WebP or HEIC/HEIF"
ACCEPT_ATTR = "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"
PLACEHOLDER_WIDTH = 16


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int  # as displayed, after EXIF orientation
    height: int
    size: int
    placeholder: str


def _error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _not_an_image() -> ValidationError:
    return _error(
        f"This file is not a photo we can use. Please upload a {ACCEPTED_LABEL} image.", code="unsupported_format"
    )


def _read_all(upload: IO[bytes] | Any) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def _upload_size(upload: Any) -> int | None:
    size = getattr(upload, "size", None)
    return int(size) if size is not None else None


def normalise_mode(img: Image.Image) -> Image.Image:
    """RGB/RGBA/CMYK/L stay; 16-bit and float greys are scaled to 8 bits; palettes and the rest become RGB(A)."""
    if img.mode in ("RGB", "RGBA", "CMYK", "L"):
        return img
    if img.mode.startswith("I;16") or img.mode == "I":
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if img.mode == "F":
        return img.convert("L")
    has_alpha = img.mode in ("LA", "PA", "La", "RGBa") or "transparency" in img.info
    return img.convert("RGBA" if has_alpha else "RGB")


def make_placeholder(img: Image.Image) -> str:
    """A tiny JPEG data: URI (about half a kilobyte), metadata-free."""
    small = normalise_mode(img).copy()
    small.thumbnail((PLACEHOLDER_WIDTH, PLACEHOLDER_WIDTH * 4), Image.Resampling.BILINEAR)
    if small.mode != "RGB":
        small = _flatten(small)
    return "data:image/jpeg;base64," + base64.b64encode(encode.jpeg(small, quality=50)).decode("ascii")


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on a white background (transparency has no meaning for a photo)."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def validate_photo_upload(upload: Any) -> ImageInfo:
    """Raise ValidationError (a message a member can act on) unless `upload` is a usable photo."""
    max_bytes = int(settings.PHOTO_MAX_BYTES)
    max_pixels = int(settings.PHOTO_MAX_PIXELS)

    size = _upload_size(upload)
    if size == 0:
        raise _error(f"This file is empty. Please upload a {ACCEPTED_LABEL} image.", code="empty")
    if size is not None and size > max_bytes:
        raise _error(
            f"This file is {filesizeformat(size)}; photos can be at most {filesizeformat(max_bytes)}.",
            code="too_large",
        )
    data = _read_all(upload)
    size = len(data)
    if size == 0:
        raise _error(f"This file is empty. Please upload a {ACCEPTED_LABEL} image.", code="empty")
    if size > max_bytes:
        raise _error(
            f"This file is {filesizeformat(size)}; photos can be at most {filesizeformat(max_bytes)}.",
            code="too_large",
        )

    too_many_pixels = _error(
        f"This image has too many pixels; the limit is {max_pixels / 1_000_000:g} megapixels. "
        "Please resize it and try again.",
        code="too_many_pixels",
    )
    # Pillow's own bomb guard checks the header before any decoding; make it strict.
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as img:
                fmt = (img.format or "").upper()
                if fmt not in ALLOWED_FORMATS:
                    raise _not_an_image()
                width, height = img.size
                if width <= 0 or height <= 0:
                    raise _not_an_image()
                if width * height > max_pixels:
                    raise too_many_pixels
                if fmt != "HEIF" and (getattr(img, "is_animated", False) or getattr(img, "n_frames", 1) > 1):
                    raise _error(
                        f"Animated images are not accepted. Please upload a still {ACCEPTED_LABEL} photo.",
                        code="animated",
                    )
                img.verify()
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as img:
                if fmt == "JPEG":
                    # Decoding at 1/8 scale still reads every byte: truncation is caught, memory stays small.
                    img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                img.load()
                oriented = ImageOps.exif_transpose(img) or img
                placeholder = make_placeholder(oriented)
                try:
                    orientation = int(img.getexif().get(0x0112, 1))
                except Exception:
                    orientation = 1
                shown_w, shown_h = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels
        except UnidentifiedImageError:
            raise _not_an_image()
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error) as exc:
            message = str(exc).lower()
            if "truncated" in message or "premature" in message or "broken" in message or "eof" in message:
                raise _error(
                    "This photo is incomplete or damaged (the upload may have been cut off). Please try again.",
                    code="truncated",
                )
            raise _error(f"This photo could not be read. Please upload a {ACCEPTED_LABEL} image.", code="unreadable")
    return ImageInfo(format=fmt, width=shown_w, height=shown_h, size=size, placeholder=placeholder)

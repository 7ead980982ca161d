"""Hostile and odd uploads: each a clear ValidationError (form error / API 400), never a 500."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError

from kei_community.media.validation import validate_photo_upload
from tests.factories import make_upload
from tests.media import images


def _reject(data: bytes, name: str = "photo.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validate_photo_upload(make_upload(data, name=name))
    return exc.value


def test_decompression_bomb_png_rejected_from_header():
    data = images.png_bomb()
    assert len(data) < 2000
    err = _reject(data, "bomb.png")
    assert err.code == "too_many_pixels"
    assert "megapixels" in err.messages[0]


def test_pixel_cap_below_pillow_bomb_threshold(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    err = _reject(images.jpeg_bytes((200, 200)))
    assert err.code == "too_many_pixels"


def test_tiff_renamed_jpg_rejected():
    err = _reject(images.tiff_bytes(), "truck.jpg")
    assert err.code == "unsupported_format"
    assert "JPEG, PNG, WebP or HEIC/HEIF" in err.messages[0]


def test_jpeg_bomb_rejected_from_header():
    err = _reject(images.jpeg_bomb())
    assert err.code == "too_many_pixels"
    assert "megapixels" in err.messages[0]


def test_html_renamed_jpg_rejected():
    err = _reject(images.HTML_TAIL, "truck.jpg")
    assert err.code == "unsupported_format"
    assert "not a photo we can use" in err.messages[0]


def test_jpeg_whose_metadata_holds_a_plist_doctype_accepted():
    """Pillow's truncated_app14.jpg was refused as a 'polyglot' for `<!DOCTYPE plist` in its metadata."""
    info = validate_photo_upload(make_upload(images.jpeg_with_plist((1200, 900))))
    assert (info.format, info.width, info.height) == ("JPEG", 1200, 900)


def test_jpeg_with_html_in_its_comment_accepted():
    """Originals are never served and every rendition is re-encoded without metadata (see test_tasks)."""
    info = validate_photo_upload(make_upload(images.jpeg_with_html_comment()))
    assert info.format == "JPEG"
    assert images.HTML_COMMENT not in base64.b64decode(info.placeholder.split(",", 1)[1])


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (images.png_bytes() + images.HTML_TAIL, "truck.png"),
        (images.png_bytes() + b"junk-IEND\x00\x00\x00\x00", "truck.png"),
        (images.jpeg_bytes() + images.HTML_TAIL, "truck.jpg"),
        (images.webp_bytes() + images.HTML_TAIL, "truck.webp"),
    ],
    ids=["png-html", "png-fake-iend", "jpeg-html", "webp-html"],
)
def test_bytes_after_the_image_do_not_matter(data, name):
    """What Pillow's decoder accepts is accepted: the renditions are re-encoded from the pixels."""
    assert validate_photo_upload(make_upload(data, name=name)).format in {"PNG", "JPEG", "WEBP"}


def test_svg_with_script_rejected():
    err = _reject(images.SVG_WITH_SCRIPT, "truck.svg")
    assert err.code == "unsupported_format"


def test_pdf_rejected():
    assert _reject(images.PDF_BYTES, "truck.jpg").code == "unsupported_format"


def test_animated_gif_rejected():
    assert _reject(images.gif_animated_bytes(), "truck.gif").code == "unsupported_format"


def test_animated_webp_rejected():
    err = _reject(images.animated_webp_bytes(), "truck.webp")
    assert err.code == "animated"


def test_truncated_jpeg_rejected():
    data = images.jpeg_with_gps((1600, 1200))
    err = _reject(data[: len(data) // 2])
    assert err.code == "truncated"
    assert "incomplete or damaged" in err.messages[0]


def test_zero_byte_file_rejected():
    err = _reject(b"")
    assert err.code == "empty"
    assert "empty" in err.messages[0]


def test_file_over_size_cap_rejected(settings):
    settings.PHOTO_MAX_BYTES = 2048
    data = images.jpeg_with_gps((800, 600))
    assert len(data) > 2048
    err = _reject(data)
    assert err.code == "too_large"
    assert "2.0\xa0KB" in err.messages[0]


@pytest.mark.parametrize(
    ("maker", "fmt"),
    [(images.jpeg_bytes, "JPEG"), (images.png_bytes, "PNG"), (images.webp_bytes, "WEBP"), (images.heic_bytes, "HEIF")],
)
def test_accepted_formats(maker, fmt):
    info = validate_photo_upload(make_upload(maker(), name="whatever.bin"))
    assert info.format == fmt
    assert info.placeholder.startswith("data:image/jpeg;base64,")


def test_dimensions_follow_exif_orientation():
    info = validate_photo_upload(make_upload(images.two_colour_jpeg(orientation=6)))
    assert (info.width, info.height) == (400, 800)

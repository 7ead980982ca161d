"""The processing task, run eagerly (the worker version is in tests/services)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from PIL import Image

from kei_community.media import processing, services
from kei_community.media.models import Photo
from kei_community.media.tasks import process_photo, sweep_photos
from tests.factories import make_photo
from tests.media import images


def _ready_photo(owner, data: bytes, django_capture_on_commit_callbacks) -> Photo:
    with django_capture_on_commit_callbacks(execute=True):
        photo = make_photo(owner=owner, data=data)
    photo.refresh_from_db()
    return photo


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_outputs_have_no_exif_gps_xmp_or_icc(user, settings, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, images.jpeg_with_gps((1800, 1200)), django_capture_on_commit_callbacks)
    assert photo.status == Photo.Status.READY
    assert sorted(int(k) for k in photo.renditions) == [400, 960, 1600]
    files = _files(settings)
    assert len(files) == 6
    for path in files:
        raw = path.read_bytes()
        with Image.open(path) as img:
            assert len(img.getexif()) == 0
            assert not img.getexif().get_ifd(0x8825)
            assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(img.info)
        assert b"Exif\x00\x00" not in raw
        assert b"Suzuki Camera Works" not in raw
        assert b"xmpmeta" not in raw


# APP1 (EXIF/XMP), APP2 (ICC), APP3-APP15 (APP13 Photoshop/IPTC, APP14 Adobe...), COM.
METADATA_MARKERS = {*range(0xE1, 0xF0), 0xFE}


def _assert_served_bytes_clean(raw: bytes) -> None:
    """One served file (a JPEG or WebP rendition, or the placeholder): pixels and nothing else."""
    assert images.HTML_COMMENT not in raw and b"<img" not in raw and b"plist" not in raw
    assert b"Suzuki Camera Works" not in raw and b"xmpmeta" not in raw
    if raw[:2] == b"\xff\xd8":
        markers = images.jpeg_markers(raw)
        assert not METADATA_MARKERS & set(markers), [hex(m) for m in markers]
        app0 = raw.index(b"\xff\xe0") if 0xE0 in markers else None
        assert app0 is None or raw[app0 + 4 : app0 + 9] == b"JFIF\x00"  # APP0 only as the encoder's JFIF header
    else:
        assert images.webp_chunks(raw) == [b"VP8 "]  # no VP8X container, so no EXIF, XMP or ICCP chunk
    with Image.open(io.BytesIO(raw)) as img:
        assert len(img.getexif()) == 0 and not img.getexif().get_ifd(0x8825)
        assert not {"exif", "xmp", "icc_profile", "comment", "adobe", "photoshop", "XML:com.adobe.xmp"} & set(img.info)


def _placeholder_bytes(photo: Photo) -> bytes:
    import base64

    return base64.b64decode(photo.placeholder.split(",", 1)[1])


def test_html_comment_reaches_no_rendition(user, settings, django_capture_on_commit_callbacks):
    """Defect 7: a JPEG whose COM comment and XMP carry `<img src=x onerror=...>` is accepted, and no
    served byte (every width, WebP and JPEG, the placeholder) carries metadata of any kind."""
    data = images.jpeg_with_html_comment((1800, 1200))
    uploaded = make_photo(owner=user, data=data)
    _assert_served_bytes_clean(_placeholder_bytes(uploaded))  # the one made at upload time
    with django_capture_on_commit_callbacks(execute=True):
        photo = make_photo(owner=user, data=data)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    names = photo.rendition_names()
    assert len(names) == 6 and {n.rsplit(".", 1)[1] for n in names} == {"jpg", "webp"}
    for name in names:
        _assert_served_bytes_clean((Path(settings.MEDIA_ROOT) / name).read_bytes())
    _assert_served_bytes_clean(_placeholder_bytes(photo))


def test_strip_jpeg_metadata_keeps_pixels_and_drops_every_metadata_segment():
    from kei_community.media.encode import strip_jpeg_metadata

    data = images.jpeg_with_plist((320, 240))
    data = images.with_segments(data, images.jpeg_segment(0xFE, images.HTML_COMMENT))
    assert METADATA_MARKERS & set(images.jpeg_markers(data)) == {0xE1, 0xED, 0xEE, 0xFE}
    stripped = strip_jpeg_metadata(data)
    assert not METADATA_MARKERS & set(images.jpeg_markers(stripped))
    assert b"plist" not in stripped and images.HTML_COMMENT not in stripped
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert before.tobytes() == after.tobytes()


def test_plist_metadata_jpeg_processed_without_its_metadata(user, settings, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, images.jpeg_with_plist((1000, 750)), django_capture_on_commit_callbacks)
    assert photo.status == Photo.Status.READY
    assert sorted(photo.renditions, key=int) == ["400", "960"]
    for path in _files(settings):
        _assert_served_bytes_clean(path.read_bytes())
    _assert_served_bytes_clean(_placeholder_bytes(photo))


def test_bytes_after_the_image_reach_no_rendition(user, settings, django_capture_on_commit_callbacks):
    for data in (images.png_bytes() + images.HTML_TAIL, images.jpeg_bytes() + images.HTML_TAIL):
        photo = _ready_photo(user, data, django_capture_on_commit_callbacks)
        assert photo.status == Photo.Status.READY
    for path in _files(settings):
        raw = path.read_bytes()
        assert b"<script" not in raw and b"<html" not in raw
        _assert_served_bytes_clean(raw)


def test_orientation_applied(user, settings, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, images.two_colour_jpeg(orientation=6), django_capture_on_commit_callbacks)
    assert (photo.width, photo.height) == (400, 800)
    jpeg = Path(settings.MEDIA_ROOT) / photo.renditions["400"]["jpeg"]
    with Image.open(jpeg) as img:
        assert img.size == (400, 800)
        top = img.convert("RGB").getpixel((200, 100))
        bottom = img.convert("RGB").getpixel((200, 700))
    assert top[0] > 200 and top[2] < 60  # red, the stored left half, is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_no_upscaling(user, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, images.jpeg_bytes((300, 200)), django_capture_on_commit_callbacks)
    assert list(photo.renditions) == ["300"]
    photo = _ready_photo(user, images.jpeg_bytes((1000, 500)), django_capture_on_commit_callbacks)
    assert sorted(photo.renditions, key=int) == ["400", "960"]


def test_png_with_alpha_and_heic_processed(user, django_capture_on_commit_callbacks):
    png = _ready_photo(user, images.png_bytes(mode="RGBA"), django_capture_on_commit_callbacks)
    heic = _ready_photo(user, images.heic_bytes(), django_capture_on_commit_callbacks)
    assert png.status == heic.status == Photo.Status.READY
    assert sorted(heic.renditions, key=int) == ["400", "960"]


def test_running_twice_gives_same_files_and_no_duplicates(user, settings, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, images.jpeg_with_gps((1700, 1000)), django_capture_on_commit_callbacks)
    before = _files(settings)
    first = photo.renditions
    assert process_photo.delay(photo.pk).get() == "skipped"  # already ready: a redelivery is a no-op
    assert process_photo.delay(photo.pk, force=True).get() == "ready"
    assert process_photo.delay(photo.pk, force=True).get() == "ready"
    photo.refresh_from_db()
    assert _files(settings) == before
    assert photo.renditions == first
    assert Photo.objects.count() == 1


def test_poison_image_fails_after_max_attempts(user, settings, monkeypatch):
    settings.PHOTO_MAX_ATTEMPTS = 3
    calls = []

    def crash(data, **kwargs):
        calls.append(1)
        raise MemoryError("worker blew up")

    monkeypatch.setattr(processing, "render", crash)
    photo = make_photo(owner=user)
    # Without propagation eager retries re-run in place (as a worker would after each countdown).
    from kei_community.celery import app

    app.conf.task_eager_propagates = False
    try:
        assert process_photo.apply(args=[photo.pk]).get() == "failed"
    finally:
        app.conf.task_eager_propagates = True
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED
    assert photo.attempts == 3
    assert len(calls) == 3
    assert "after 3 tries" in photo.failure_reason


def test_redelivered_message_at_attempt_cap_fails_without_rendering(user, settings, monkeypatch):
    settings.PHOTO_MAX_ATTEMPTS = 3
    photo = make_photo(owner=user)
    Photo.objects.filter(pk=photo.pk).update(status=Photo.Status.PROCESSING, attempts=3)
    monkeypatch.setattr(processing, "render", lambda data, **kw: (_ for _ in ()).throw(AssertionError("must not run")))
    assert process_photo.delay(photo.pk).get() == "skipped"
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED


def test_undecodable_original_fails_at_once_with_reason(user):
    photo = make_photo(owner=user)
    Path(photo.original.path).write_bytes(b"garbage")
    assert process_photo.delay(photo.pk).get() == "failed"
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED and photo.attempts == 1
    assert "could not be read" in photo.failure_reason


def test_sweeper_picks_up_old_pending_and_gives_up_on_stuck(user, settings):
    settings.PHOTO_MAX_ATTEMPTS = 2
    fresh, old, stuck = make_photo(owner=user), make_photo(owner=user), make_photo(owner=user)
    long_ago = timezone.now() - timedelta(minutes=20)
    Photo.objects.filter(pk=old.pk).update(status_changed_at=long_ago)
    Photo.objects.filter(pk=stuck.pk).update(status=Photo.Status.PROCESSING, attempts=2, status_changed_at=long_ago)
    result = sweep_photos.delay().get()
    assert result["enqueued"] == 1 and result["failed"] == 1
    statuses = dict(Photo.objects.values_list("pk", "status"))
    assert statuses == {fresh.pk: "pending", old.pk: "ready", stuck.pk: "failed"}


def test_beat_schedule_registered():
    from kei_community.celery import app

    entry = app.conf.beat_schedule["media-sweep-photos"]
    assert entry["task"] == "kei_community.media.tasks.sweep_photos"
    assert entry["schedule"] == timedelta(seconds=30)  # PHOTO_SWEEP_INTERVAL_SECONDS
    assert entry["options"] == {"expires": 30}


def test_placeholder_is_tiny_and_clean():
    rendered = processing.render(images.jpeg_with_gps((1600, 1200)))
    assert len(rendered.placeholder) < 2000
    import base64

    raw = base64.b64decode(rendered.placeholder.split(",", 1)[1])
    with Image.open(io.BytesIO(raw)) as img:
        assert img.width == 16 and len(img.getexif()) == 0


def test_reprocess_command_shows_progress(user, settings):
    from django.core.management import call_command

    a, _b = make_photo(owner=user), make_photo(owner=user)
    out = io.StringIO()
    call_command("reprocess_photos", stdout=out)
    text = out.getvalue()
    assert "2/2 (100%)" in text and "ready 2" in text
    assert set(Photo.objects.values_list("status", flat=True)) == {"ready"}
    assert services.photo_process(photo_id=a.pk) == "skipped"


def test_icc_profile_converted_and_dropped(user, settings, django_capture_on_commit_callbacks):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 120, 200)).save(buf, "JPEG", icc_profile=icc)
    photo = _ready_photo(user, buf.getvalue(), django_capture_on_commit_callbacks)
    assert photo.status == Photo.Status.READY
    for path in _files(settings):
        with Image.open(path) as img:
            assert "icc_profile" not in img.info


def test_palette_and_16_bit_pngs_processed(user, settings, django_capture_on_commit_callbacks):
    palette, deep = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (500, 300), (200, 30, 30)).convert("P").save(palette, "PNG")
    Image.new("I;16", (500, 300), 30000).save(deep, "PNG")
    for data in (palette.getvalue(), deep.getvalue()):
        photo = _ready_photo(user, data, django_capture_on_commit_callbacks)
        assert photo.status == Photo.Status.READY
        assert list(photo.renditions) == ["400"]
    # 16-bit grey is scaled to 8 bits, not clipped to white: 30000 / 256 ~= 117.
    with Image.open(Path(settings.MEDIA_ROOT) / photo.renditions["400"]["jpeg"]) as img:
        assert abs(img.convert("L").getpixel((200, 100)) - 117) <= 3


def test_cleanup_removes_orphan_rows_and_files(user, other_user, settings, django_capture_on_commit_callbacks):
    import os
    import time

    from kei_community.media.tasks import cleanup_photos

    with django_capture_on_commit_callbacks(execute=True):
        kept = make_photo(owner=user)
        gone = make_photo(owner=other_user)
    # An original left behind by a rolled-back upload, old enough to be swept.
    stray = Path(settings.PRIVATE_MEDIA_ROOT) / "originals" / "ab" / ("ab" + "0" * 30 + ".jpg")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(stray, (old, old))
    gone_files = [Path(settings.MEDIA_ROOT) / n for n in Photo.objects.get(pk=gone.pk).rendition_names()]
    type(other_user).objects.filter(pk=other_user.pk).delete()  # a User has no GenericRelation: no cascade

    with django_capture_on_commit_callbacks(execute=True):
        result = cleanup_photos.delay().get()
    assert result == {"orphan_rows": 1, "orphan_files": 1}
    assert list(Photo.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not stray.exists()
    assert not any(p.exists() for p in gone_files)
    assert Path(Photo.objects.get().original.path).exists()

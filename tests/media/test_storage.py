"""Photo storages (issue 15): the database keeps file names, URLs are built when a page is rendered,
originals are for moderators only. Fast layer: no S3 server is contacted here (S3Storage computes
unsigned and presigned URLs locally); tests/services/test_storage_s3.py runs against one."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.template import Context, Template

from kei_community.media import storage
from kei_community.media.models import Photo
from kei_community.media.storage_config import media_public_origin, media_storages
from kei_community.moderation.models import AuditLogEntry
from tests.factories import DEFAULT_PASSWORD, make_photo
from tests.media import images

pytestmark = pytest.mark.django_db

S3 = {
    "backend": "s3",
    "public_bucket": "kei-public",
    "private_bucket": "kei-private",
    "access_key": "AKIAEXAMPLE",
    "secret_key": "example-secret",
}


def _use(settings, **config) -> None:
    storages = media_storages(**config)
    settings.STORAGES = {**settings.STORAGES, **storages}


def _ready_photo(owner, capture) -> Photo:
    with capture(execute=True):
        photo = make_photo(owner=owner, data=images.jpeg_bytes((1700, 1000)))
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    return photo


def test_rows_keep_file_names_never_urls(user, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, django_capture_on_commit_callbacks)
    key = photo.key.hex
    assert photo.renditions["960"] == {
        "width": 960,
        "height": photo.renditions["960"]["height"],
        "webp": f"photos/{key[:2]}/{key}/960.webp",
        "jpeg": f"photos/{key[:2]}/{key}/960.jpg",
    }
    assert not any("/media/" in name or "://" in name for name in photo.rendition_names())


def test_a_new_media_url_applies_to_every_page_without_touching_rows(
    user, settings, django_capture_on_commit_callbacks
):
    photo = _ready_photo(user, django_capture_on_commit_callbacks)
    tpl = Template("{% load photos %}{% photo_picture photo %}")
    assert f"/media/{photo.renditions['400']['jpeg']} 400w" in tpl.render(Context({"photo": photo}))
    settings.MEDIA_URL = "https://media.kei.example/m/"
    html = tpl.render(Context({"photo": Photo.objects.get(pk=photo.pk)}))
    assert f"https://media.kei.example/m/{photo.renditions['400']['jpeg']} 400w" in html
    assert "/media/photos/" not in html


def test_moving_to_a_cdn_is_a_setting(user, settings, django_capture_on_commit_callbacks):
    photo = _ready_photo(user, django_capture_on_commit_callbacks)
    _use(settings, **S3, custom_domain="cdn.kei.example")
    assert photo.url_for(960, "webp") == f"https://cdn.kei.example/{photo.renditions['960']['webp']}"
    assert photo.largest_url() == f"https://cdn.kei.example/{photo.renditions['1600']['jpeg']}"


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"endpoint_url": "http://127.0.0.1:9000"},
        {"custom_domain": "cdn.kei.example"},
    ],
    ids=["aws", "self-hosted endpoint", "cdn"],
)
def test_public_urls_are_the_storages_own_unsigned_urls_on_the_allowed_origin(settings, config):
    _use(settings, **S3, **config)
    name = "photos/ab/ab12/960.webp"
    url = storage.public_url(name)
    assert url == storage.public_storage().url(name)
    assert "Signature" not in url and "?" not in url
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == media_public_origin(backend="s3", public_bucket="kei-public", **config)


def test_rendering_many_photos_asks_the_storage_once(user, settings, monkeypatch, django_capture_on_commit_callbacks):
    """URLs are joined to a prefix computed once per process: no per-photo storage call, no query."""
    from storages.backends.s3 import S3Storage

    photos = [_ready_photo(user, django_capture_on_commit_callbacks) for _ in range(3)]
    _use(settings, **S3, endpoint_url="http://127.0.0.1:9000")
    calls = []
    real_url = S3Storage.url
    monkeypatch.setattr(
        S3Storage, "url", lambda self, name, *a, **kw: calls.append(name) or real_url(self, name, *a, **kw)
    )
    tpl = Template("{% load photos %}{% for p in photos %}{% photo_picture p %}{% endfor %}")
    html = tpl.render(Context({"photos": photos}))
    assert html.count("http://127.0.0.1:9000/kei-public/photos/") == 3 * 7  # 3 webp + 3 jpeg + fallback, each
    assert len(calls) == 1


def test_the_csp_allows_images_from_the_public_bucket_only():
    assert media_public_origin(backend="filesystem") == ""
    assert media_public_origin(**S3) == "https://kei-public.s3.amazonaws.com"
    assert media_public_origin(**S3, custom_domain="cdn.kei.example") == "https://cdn.kei.example"


def test_s3_needs_both_buckets_and_they_differ():
    with pytest.raises(ValueError, match="AWS_PRIVATE_BUCKET_NAME"):
        media_storages(backend="s3", public_bucket="kei-public")
    with pytest.raises(ValueError, match="differ"):
        media_storages(backend="s3", public_bucket="kei", private_bucket="kei")
    with pytest.raises(ValueError, match="MEDIA_STORAGE"):
        media_storages(backend="ftp")


def test_the_private_bucket_signs_with_a_short_expiry_and_never_uses_the_cdn(settings):
    _use(settings, **S3, custom_domain="cdn.kei.example", original_url_seconds=45)
    url = storage.original_signed_url("originals/ab/ab12.jpg", seconds=45)
    assert url is not None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.netloc == "kei-private.s3.amazonaws.com"
    assert query["X-Amz-Expires"] == ["45"] and query["X-Amz-Signature"]


def test_the_filesystem_original_has_no_url(settings):
    assert storage.original_signed_url("originals/ab/ab12.jpg", seconds=60) is None
    with pytest.raises(ValueError):
        storage.private_storage.url("originals/ab/ab12.jpg")


# --- the moderators' view of an original -----------------------------------------------------------


def _login(client, member) -> None:
    assert client.login(email=member.email, password=DEFAULT_PASSWORD)


def test_a_moderator_gets_the_original_streamed_on_the_filesystem(client, user, moderator):
    data = images.jpeg_with_gps((640, 480))
    photo = make_photo(owner=user, data=data)
    _login(client, moderator)
    response = client.get(f"/photos/{photo.pk}/original/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditLogEntry.objects.get(action="photo.original_viewed")
    assert (entry.actor, entry.target_id) == (moderator, photo.pk)


def test_a_moderator_is_redirected_to_a_presigned_url_on_s3(client, user, moderator, settings):
    photo = make_photo(owner=user)
    _use(settings, **S3)
    settings.PHOTO_ORIGINAL_URL_SECONDS = 30
    _login(client, moderator)
    response = client.get(f"/photos/{photo.pk}/original/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == "kei-private.s3.amazonaws.com"
    assert location.path == f"/{photo.original.name}"
    assert parse_qs(location.query)["X-Amz-Expires"] == ["30"]
    assert response["Cache-Control"] == "private, no-store"


def test_the_owner_and_other_members_cannot_open_an_original(client, user, other_user):
    photo = make_photo(owner=user)
    for member in (user, other_user):
        _login(client, member)
        assert client.get(f"/photos/{photo.pk}/original/").status_code == 403
    assert not AuditLogEntry.objects.filter(action="photo.original_viewed").exists()


def test_anonymous_visitors_are_sent_to_sign_in_for_an_original(client, user):
    photo = make_photo(owner=user)
    response = client.get(f"/photos/{photo.pk}/original/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_or_missing_original_is_404(client, user, moderator):
    photo = make_photo(owner=user)
    photo.original.storage.delete(photo.original.name)
    _login(client, moderator)
    assert client.get(f"/photos/{photo.pk}/original/").status_code == 404
    assert client.get(f"/photos/{photo.pk + 1000}/original/").status_code == 404
    assert client.get("/photos/99999999999999999999999/original/").status_code == 404

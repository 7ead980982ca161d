"""The photo pipeline end to end on each storage backend (issue 15): real PostgreSQL, Redis, a Celery
worker, and for MEDIA_STORAGE=s3 the S3 server .ci/run starts (moto's standalone server, over HTTP).

Upload (the avatar form) -> the worker reads the original from the private storage -> renditions in the
public storage, the original only in the private one -> the page carries the renditions' URLs, which
answer over HTTP; the original answers only through a moderator's short-lived signed URL.

moto does not enforce a presigned URL's expiry (nor check its signature: it only looks for one), so on
S3 the expiry is asserted on the URL's signed parameters; AWS and MinIO refuse it once past.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import storages

from kei_community.media.models import Photo
from kei_community.media.storage_config import media_storages
from tests.factories import DEFAULT_PASSWORD, ModeratorFactory, UserFactory, make_upload
from tests.media import images
from tests.services import s3

pytestmark = pytest.mark.django_db(transaction=True)

BACKENDS = ["filesystem", "s3"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings):  # type: ignore[no-untyped-def]
    """STORAGES["default"] and ["private"] on the filesystem (tmp dirs) or on two fresh buckets."""
    if request.param == "filesystem":
        settings.STORAGES = {**settings.STORAGES, **media_storages(backend="filesystem")}
        yield None
        return
    buckets = s3.create_buckets(s3.endpoint())
    settings.STORAGES = {**settings.STORAGES, **media_storages(**buckets.config())}
    yield buckets
    s3.drop_buckets(buckets)


def _wait_ready(pk: int, timeout: float = 45.0) -> Photo:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        photo = Photo.objects.get(pk=pk)
        if photo.status in (Photo.Status.READY, Photo.Status.FAILED):
            assert photo.status == Photo.Status.READY, photo.failure_reason
            return photo
        time.sleep(0.1)
    raise AssertionError(f"photo {pk} not processed in {timeout:.0f}s")


def _upload_avatar(client, member, data: bytes) -> Photo:
    assert client.login(email=member.email, password=DEFAULT_PASSWORD)
    response = client.post("/photos/avatar/", {"action": "upload", "photo": make_upload(data)})
    assert response.status_code == 302, response.content[:500]
    return _wait_ready(Photo.objects.get(owner_id=member.pk).pk)


def _fetch_public(backend, settings, url: str) -> tuple[int, dict[str, str], bytes]:
    """What a browser gets for a rendition URL: over HTTP from the bucket, or the file the proxy serves
    at MEDIA_URL from MEDIA_ROOT (docs/media.md) on the filesystem backend."""
    if backend is not None:
        return s3.http_get(url)
    assert url.startswith(settings.MEDIA_URL), url
    path = Path(settings.MEDIA_ROOT) / url[len(settings.MEDIA_URL) :]
    return (200, {}, path.read_bytes()) if path.is_file() else (404, {}, b"")


def test_upload_is_processed_into_the_public_storage_and_served(backend, live_worker, client, settings):
    member = UserFactory()
    data = images.jpeg_with_gps((1700, 1100))
    photo = _upload_avatar(client, member, data)

    public, private = storages["default"], storages["private"]
    names = photo.rendition_names()
    assert len(names) == 6 and all(public.exists(n) and not private.exists(n) for n in names)
    assert private.exists(photo.original.name) and not public.exists(photo.original.name)
    if backend is not None:  # nothing else in either bucket
        assert backend.keys(backend.public) == sorted(names)
        assert backend.keys(backend.private) == [photo.original.name]

    page = client.get(f"/members/{member.pk}/").content.decode()
    url = photo.url_for(96)
    assert url and url in page
    status, headers, body = _fetch_public(backend, settings, url)
    assert status == 200 and body[:3] == b"\xff\xd8\xff"  # a JPEG
    assert b"Suzuki Camera Works" not in body  # the metadata stayed in the original
    if backend is not None:
        assert url.startswith(f"{backend.endpoint}/{backend.public}/photos/")
        assert headers["content-type"] == "image/jpeg"
        assert headers["cache-control"].startswith("public, max-age=")
        status, headers, body = s3.http_get(photo.url_for(96, "webp"))
        assert status == 200 and headers["content-type"] == "image/webp" and body[8:12] == b"WEBP"


def test_the_original_cannot_be_fetched_without_a_signature(backend, live_worker, client, settings):
    member = UserFactory()
    photo = _upload_avatar(client, member, images.jpeg_with_gps((900, 600)))
    name = photo.original.name
    if backend is None:
        # The proxy serves MEDIA_ROOT only; the original lives outside it and has no URL.
        assert not (Path(settings.MEDIA_ROOT) / name).exists()
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
        with pytest.raises(ValueError):
            storages["private"].url(name)
        return
    assert s3.http_get(f"{backend.endpoint}/{backend.private}/{name}")[0] == 403
    assert s3.http_get(f"{backend.endpoint}/{backend.public}/{name}")[0] in (403, 404)


def test_a_moderators_signed_url_opens_the_original_for_a_short_while(backend, live_worker, client, settings):
    settings.PHOTO_ORIGINAL_URL_SECONDS = 20
    member, moderator = UserFactory(), ModeratorFactory()
    data = images.jpeg_with_gps((900, 600))
    photo = _upload_avatar(client, member, data)
    client.logout()
    assert client.login(email=moderator.email, password=DEFAULT_PASSWORD)

    asked_at = datetime.now(UTC)
    response = client.get(f"/photos/{photo.pk}/original/")
    assert response["Cache-Control"] == "private, no-store"
    if backend is None:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == data
        return
    assert response.status_code == 302
    signed = response["Location"]
    status, _, body = s3.http_get(signed)
    assert status == 200 and body == data  # metadata and all: what the member uploaded
    query = parse_qs(urlsplit(signed).query)
    assert urlsplit(signed).path == f"/{backend.private}/{photo.original.name}"
    assert query["X-Amz-Expires"] == ["20"] and query["X-Amz-Signature"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((signed_at - asked_at).total_seconds()) < 5  # valid from now for 20 s, then S3 refuses it
    # Each visit signs anew, so a link copied out of a moderator's browser is dead within the minute.
    time.sleep(1.1)
    again = client.get(f"/photos/{photo.pk}/original/")["Location"]
    assert again != signed and parse_qs(urlsplit(again).query)["X-Amz-Date"] != query["X-Amz-Date"]


def test_members_and_visitors_are_refused_the_original(backend, live_worker, client):
    member, other = UserFactory(), UserFactory()
    photo = _upload_avatar(client, member, images.jpeg_with_gps((900, 600)))
    for who in (member, other):
        client.logout()
        assert client.login(email=who.email, password=DEFAULT_PASSWORD)
        response = client.get(f"/photos/{photo.pk}/original/")
        assert response.status_code == 403 and "Location" not in response
    client.logout()
    response = client.get(f"/photos/{photo.pk}/original/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_daily_cleanup_removes_stray_files_from_both_storages(backend, live_worker, client):
    """Files no row refers to (an upload whose transaction rolled back) go; a photo's own files stay."""
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from kei_community.media.services import photos_cleanup

    photo = _upload_avatar(client, UserFactory(), images.jpeg_with_gps((900, 600)))
    stray_key = "cd" + "0" * 30
    stray_original = storages["private"].save(f"originals/cd/{stray_key}.jpg", ContentFile(b"x"))
    stray_renditions = [
        storages["default"].save(f"photos/cd/{stray_key}/400.{ext}", ContentFile(b"x")) for ext in ("webp", "jpg")
    ]

    assert photos_cleanup(grace=timedelta(seconds=-60)) == {"orphan_rows": 0, "orphan_files": 3}
    assert not storages["private"].exists(stray_original)
    assert not any(storages["default"].exists(name) for name in stray_renditions)
    assert storages["private"].exists(photo.original.name)
    assert all(storages["default"].exists(name) for name in photo.rendition_names())

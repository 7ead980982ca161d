"""The photo pipeline against real PostgreSQL, Redis and a Celery worker."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from kei_community.media.models import Photo
from kei_community.media.tasks import process_photo, sweep_photos
from tests.factories import DEFAULT_PASSWORD, UserFactory, make_photo, make_upload
from tests.media import images

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.media.urls")]

CLOSED_BROKER = "redis://127.0.0.1:1/0"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for the worker")


def _status(pk: int) -> str:
    return Photo.objects.get(pk=pk).status


def _files(settings) -> list[Path]:
    return sorted(p for p in (Path(settings.MEDIA_ROOT) / "photos").rglob("*") if p.is_file())


def _reset_producers(app) -> None:
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


def test_upload_becomes_ready_without_exif_or_gps(live_worker, client, settings):
    user = UserFactory()
    client.login(email=user.email, password=DEFAULT_PASSWORD)
    data = images.jpeg_with_gps((2000, 1500), orientation=1)
    response = client.post(
        f"/test/members/{user.pk}/photos/",
        {"action": "upload", "photos": make_upload(data)},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 201
    pk = response.json()["photos"][0]["id"]
    wait_for(lambda: _status(pk) == "ready")
    files = _files(settings)
    assert len(files) == 6
    for path in files:
        with Image.open(path) as img:
            assert len(img.getexif()) == 0
            assert not img.getexif().get_ifd(0x8825)
            assert "exif" not in img.info
        assert b"Suzuki Camera Works" not in path.read_bytes()


def test_task_twice_gives_same_files_and_rows(live_worker, settings):
    user = UserFactory()
    photo = make_photo(owner=user, data=images.jpeg_with_gps((1700, 1100)))
    wait_for(lambda: _status(photo.pk) == "ready")
    before_files = _files(settings)
    first = Photo.objects.get(pk=photo.pk)
    # A duplicate delivery of the same message is a no-op; a forced rerun rewrites the same names.
    process_photo.delay(photo.pk)
    process_photo.delay(photo.pk, force=True)
    wait_for(lambda: Photo.objects.get(pk=photo.pk).processed_at != first.processed_at)
    wait_for(lambda: _status(photo.pk) == "ready")
    again = Photo.objects.get(pk=photo.pk)
    assert again.renditions == first.renditions
    assert _files(settings) == before_files
    assert Photo.objects.filter(owner_id=user.pk).count() == 1


def test_broker_down_upload_succeeds_pending_then_sweeper_completes(live_worker, client):
    from kei_community.celery import app

    user = UserFactory()
    client.login(email=user.email, password=DEFAULT_PASSWORD)
    app.conf.update(broker_write_url=CLOSED_BROKER)
    _reset_producers(app)
    try:
        with pytest.raises(Exception):  # the broker really is unreachable for producers
            process_photo.delay(0)
        response = client.post(f"/test/members/{user.pk}/photos/", {"action": "upload", "photos": make_upload()})
    finally:
        app.conf.update(broker_write_url=None)
        _reset_producers(app)
    assert response.status_code == 302
    photo = Photo.objects.get(owner_id=user.pk)
    time.sleep(1.0)
    assert _status(photo.pk) == "pending"

    # Broker back: the beat job finds the row once it is older than a minute.
    Photo.objects.filter(pk=photo.pk).update(status_changed_at=timezone.now() - timedelta(minutes=2))
    sweep_photos.delay()
    wait_for(lambda: _status(photo.pk) == "ready")

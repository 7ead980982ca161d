"""Photo manager journey: several files with progress bars, cover, reorder, avatar — accessible."""

from __future__ import annotations

import pytest

from kei_community.media.models import Photo
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.media import images

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.media.urls")]


@pytest.fixture
def eager_tasks(settings):
    """This journey is about the UI: process photos in-process even when CI points REDIS_URL at a broker."""
    from kei_community.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def test_upload_several_reorder_cover_and_avatar(page, tmp_path, eager_tasks):
    member = UserFactory()
    login(page, member.email, DEFAULT_PASSWORD)
    first, second = tmp_path / "front.jpg", tmp_path / "bed.heic"
    first.write_bytes(images.jpeg_with_gps((1200, 900)))
    second.write_bytes(images.heic_bytes((900, 600)))

    page.goto(f"/test/members/{member.pk}/photos/")
    assert axe_violations(page) == []
    page.get_by_label("Add photos").set_input_files([str(first), str(second)])
    page.get_by_role("button", name="Upload photos").click()
    # photos.js uploads each file with its own progress bar, then reloads the page.
    page.get_by_role("button", name="Delete photo 2").wait_for()
    assert Photo.objects.filter(owner_id=member.pk).count() == 2
    assert page.locator(".badge", has_text="Ready").count() == 2
    assert axe_violations(page) == []

    page.get_by_role("button", name="Make cover (photo 2)").click()
    page.get_by_text("Cover photo chosen.").wait_for()
    page.get_by_role("button", name="Move earlier (photo 2)").click()
    page.get_by_text("Photo moved.").wait_for()
    photos = list(Photo.objects.filter(owner_id=member.pk).order_by("position"))
    assert photos[0].is_cover and photos[0].original_format == "HEIF"

    page.goto("/photos/avatar/")
    page.get_by_label("Profile picture").set_input_files(str(first))
    page.get_by_role("button", name="Upload picture").click()
    page.get_by_text("Profile picture updated").wait_for()
    assert axe_violations(page) == []
    page.goto(f"/members/{member.pk}/")
    picture = page.get_by_role("img", name=member.public_name)
    assert "/media/photos/" in picture.get_attribute("src")
    assert page.console_errors == []

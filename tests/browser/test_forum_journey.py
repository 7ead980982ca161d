"""Forum journey in Chromium: a member starts a build thread for their garage truck with a photo,
another member replies quoting it and mentioning the author, the author sees the notification,
reacts, and marks the helpful reply as the answer (a help category)."""

from __future__ import annotations

import pytest

from forum.models import Post, Thread
from kei_community.notifications.models import Notification
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.media import images


@pytest.fixture
def forum_ready(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Eager Celery (CI sets REDIS_URL), quiet email, and the categories a flushed test DB lost."""
    from django.contrib.auth.models import Group

    from forum.demo import ensure_categories
    from kei_community.celery import app
    from kei_community.users.models import MODERATORS_GROUP

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FORUM_POSTS_PER_MINUTE = 1000
    ensure_categories()
    Group.objects.get_or_create(name=MODERATORS_GROUP)
    photo = tmp_path / "build.jpg"
    photo.write_bytes(images.jpeg_bytes())
    yield photo
    app.conf.task_always_eager = False


@pytest.mark.django_db(transaction=True)
def test_build_thread_reply_mention_react_and_solve(page, forum_ready):
    from kei_community.vehicles.models import GarageTruck

    author = UserFactory(display_name="Rusty Carry")
    helper = UserFactory(display_name="Dale Farm")
    truck = GarageTruck.objects.create(owner=author, make="Honda", model="Acty", year_built=1996, nickname="Rusty")

    # 1. The author starts a build thread (in a help category) for their truck, with a photo.
    login(page, author.email, DEFAULT_PASSWORD)
    page.goto("/forum/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Category").select_option(label="Maintenance & repair")
    page.get_by_label("Title").fill("Rusty idles rough when cold")
    page.get_by_label("First post").fill("My **Acty** idles rough for five minutes. Plugs are new.")
    page.get_by_role("button", name="Preview").click()
    page.locator("#thread-preview strong", has_text="Acty").wait_for()
    page.get_by_label("Tags").fill("NC, idle")
    page.get_by_label("Garage truck (makes this a build thread)").select_option(value=str(truck.pk))
    page.get_by_label("Photo (optional)").set_input_files(str(forum_ready))
    page.get_by_role("button", name="Post thread").click()
    page.get_by_role("heading", level=1, name="Rusty idles rough when cold").wait_for()
    thread = Thread.objects.get()
    assert thread.truck == truck
    assert page.locator("article picture, article img").count() >= 1
    assert page.get_by_text("Build thread for").is_visible()
    assert axe_violations(page) == []
    page.context.clear_cookies()

    # 2. Another member quotes it and mentions the author; the draft survives a reload.
    login(page, helper.email, DEFAULT_PASSWORD)
    page.goto(thread.get_absolute_url())
    page.get_by_role("link", name="Quote").first.click()
    box = page.get_by_label("Your reply")
    assert "@[Rusty Carry]" in box.input_value()
    box.fill(box.input_value() + "@[Rusty Carry] clean the idle air control valve.")
    page.wait_for_timeout(500)  # the draft is saved 300 ms after typing stops
    page.reload()
    assert "clean the idle air control valve" in page.get_by_label("Your reply").input_value()
    page.get_by_role("button", name="Post reply").click()
    page.locator("article", has_text="clean the idle air control valve").wait_for()
    reply = Post.objects.get(thread=thread, position=2)
    assert page.url.endswith(f"#post-{reply.pk}")
    assert Notification.objects.filter(recipient=author, kind="mention").count() == 1
    assert not Notification.objects.filter(recipient=author, kind="reply").exists()  # notified once
    page.context.clear_cookies()

    # 3. The author sees the notification, opens it, reacts and marks the answer.
    login(page, author.email, DEFAULT_PASSWORD)
    page.goto("/")
    assert page.locator("#notification-count").inner_text().strip() == "1"
    page.goto("/notifications/")
    page.get_by_role("link", name="Dale Farm mentioned you in “Rusty idles rough when cold”").click()
    reply_card = page.locator(f"#post-{reply.pk}")
    reply_card.wait_for()
    reply_card.get_by_role("button", name="Helpful 0").click()  # htmx swaps the buttons in place
    reply_card.get_by_role("button", name="Helpful 1").wait_for()
    reply_card.get_by_role("button", name="Mark as answer").click()
    page.get_by_text("Solved — ").wait_for()
    thread.refresh_from_db()
    reply.refresh_from_db()
    assert thread.solved_post == reply
    assert reply.reaction_counts == {"helpful": 1}
    assert axe_violations(page) == []
    page.goto(thread.category.get_absolute_url())
    assert page.get_by_text("Solved", exact=True).first.is_visible()
    assert axe_violations(page) == []
    # The other forum pages a member uses pass axe too.
    for path in [
        "/forum/new/",
        "/forum/search/?q=idle",
        "/forum/bookmarks/",
        f"/forum/p/{thread.posts.get(position=1).pk}/edit/",
    ]:
        page.goto(path)
        assert axe_violations(page) == [], path
    assert page.console_errors == []  # type: ignore[attr-defined]

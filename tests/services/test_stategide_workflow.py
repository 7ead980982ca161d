"""State guide on real PostgreSQL + Redis (cache and broker) + a Celery worker."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from kei_community.notifications.models import Notification
from stategide import services, tasks
from stategide.models import Revision, StatePage
from stategide.reference import load_states
from stategide.selectors import registration_outlook
from tests.factories import ModeratorFactory, StatePageFactory, UserFactory, citation_data

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.contrib.auth.models import Group

    from kei_community.users.models import MODERATORS_GROUP

    Group.objects.get_or_create(name=MODERATORS_GROUP)  # transaction=True flushes data migrations
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail


def test_reference_data_loads_on_postgres_idempotently():
    assert load_states()["created"] == 51
    assert load_states()["unchanged"] == 51
    assert StatePage.objects.count() == 51
    assert StatePage.objects.filter(published_revision__status="unclear").count() == 25


def test_propose_approve_publishes_notifies_watcher_by_email_and_refreshes_cache(live_worker, locmem_email):
    page = StatePageFactory(code="TX")
    author, watcher, moderator = UserFactory(home_state="OR"), UserFactory(home_state="TX"), ModeratorFactory()
    client = Client()
    assert client.get("/states/tx/")["X-Stategide-Cache"] == "miss"
    assert client.get("/states/tx/")["X-Stategide-Cache"] == "hit"
    assert registration_outlook("TX").status == "restricted"

    rev = services.revision_propose(
        author=author, page=page, data={"status": "road_legal", "summary": "Titled and registered since 2024."},
        edit_summary="New law", citations=[citation_data()],
    )  # fmt: skip
    services.revision_approve(actor=moderator, revision=rev)

    page.refresh_from_db()
    assert page.published_revision_id == rev.pk
    assert registration_outlook("tx").status == "road_legal"
    response = client.get("/states/tx/")
    assert response["X-Stategide-Cache"] == "miss"
    assert "Titled and registered since 2024." in response.content.decode()
    assert Notification.objects.filter(recipient=watcher, kind="guide_change").exists()
    assert _wait_for(lambda: any(watcher.email in m.to for m in mail.outbox)), "no email to the watcher"


def test_conflicting_proposals_on_postgres():
    page = StatePageFactory(code="TX")
    moderator = ModeratorFactory()
    first = services.revision_propose(
        author=UserFactory(), page=page, data={"max_road_speed_mph": 45}, edit_summary="45", citations=[citation_data()]
    )
    second = services.revision_propose(
        author=UserFactory(), page=page, data={"max_road_speed_mph": 25}, edit_summary="25", citations=[citation_data()]
    )
    assert (first.number, second.number) == (2, 3)
    services.revision_approve(actor=moderator, revision=first)
    second.refresh_from_db()
    assert second.conflicting
    restored = services.page_rollback(actor=moderator, page=page, revision=Revision.objects.get(page=page, number=1))
    assert restored.number == 4
    assert restored.max_road_speed_mph == 35


def test_weekly_reminder_runs_on_the_worker(live_worker):
    StatePageFactory(code="TX")
    moderator = ModeratorFactory()
    tasks.send_moderator_reminders.delay()
    assert _wait_for(lambda: Notification.objects.filter(recipient=moderator, kind="guide_reminder").exists())
    tasks.send_moderator_reminders.delay()
    time.sleep(1.0)
    assert Notification.objects.filter(recipient=moderator, kind="guide_reminder").count() == 1

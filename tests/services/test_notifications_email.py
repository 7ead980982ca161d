"""Real PostgreSQL + Redis + an in-process Celery worker: notification email delivery."""

from __future__ import annotations

import time

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.db import transaction

from kei_community.notifications import tasks
from kei_community.notifications.models import Notification
from kei_community.notifications.services import notification_create
from tests.factories import UserFactory


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def finished_tasks():
    """Ids of tasks the in-process worker has finished (there is no result backend)."""
    finished: set[str] = set()

    def on_postrun(task_id=None, **kwargs):  # type: ignore[no-untyped-def]
        finished.add(task_id)

    task_postrun.connect(on_postrun, weak=False)
    yield finished
    task_postrun.disconnect(on_postrun)


@pytest.fixture
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail


@pytest.mark.django_db(transaction=True)
def test_notification_email_goes_out_exactly_once_with_list_unsubscribe(live_worker, locmem_email, finished_tasks):
    recipient = UserFactory()
    actor = UserFactory()
    with transaction.atomic():
        notification = notification_create(
            recipient=recipient, kind="report_resolved", title="Your report was reviewed", actor=actor, url="/"
        )
    assert _wait_for(lambda: len(mail.outbox) >= 1), "the worker never sent the email"

    # The same task delivered again (a broker redelivery, a duplicate enqueue) sends nothing more.
    again = tasks.deliver_notifications.delay([notification.pk])
    assert _wait_for(lambda: again.id in finished_tasks), "the worker never ran the second delivery"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [recipient.email]
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_broker_down_keeps_the_row_pending_and_the_sweeper_sends_it(live_worker, locmem_email, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    recipient = UserFactory()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_notifications, "apply_async", broker_down)  # sent by name
        with transaction.atomic():
            notification = notification_create(recipient=recipient, kind="report_resolved", title="Queued while down")
    assert Notification.objects.get(pk=notification.pk).emailed_at is None
    assert mail.outbox == []

    # Broker back: the beat sweeper picks up rows older than its grace period.
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    tasks.sweep_unsent_notifications.delay()
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert _wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)


@pytest.mark.django_db(transaction=True)
def test_daily_digest_goes_out_once_through_the_worker(live_worker, locmem_email, finished_tasks):
    from kei_community.notifications.registry import DAILY
    from kei_community.notifications.services import notification_preferences_set

    recipient = UserFactory()
    notification_preferences_set(user=recipient, preferences={"report_resolved": DAILY})
    with transaction.atomic():
        for n in range(3):
            notification_create(recipient=recipient, kind="report_resolved", title=f"Digest item {n}")
    tasks.send_daily_digests.delay()
    assert _wait_for(lambda: len(mail.outbox) == 1), "the digest never went out"
    assert "3 new notifications" in mail.outbox[0].subject
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers

    tasks.send_daily_digests.delay()  # a second beat run finds nothing left to send
    assert _wait_for(lambda: not Notification.objects.filter(recipient=recipient, emailed_at__isnull=True).exists())
    time.sleep(1.0)
    assert len(mail.outbox) == 1

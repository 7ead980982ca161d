from datetime import timedelta

from django.core import mail
from django.utils import timezone

from kei_community.notifications import tasks
from kei_community.notifications.models import Notification
from kei_community.notifications.registry import DAILY, IMMEDIATE, OFF
from tests.factories import NotificationFactory, UserFactory


def test_delivery_task_sends_each_notification_once(user):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    tasks.deliver_notifications([n.pk])
    tasks.deliver_notifications([n.pk])
    assert len(mail.outbox) == 1


def test_delivery_task_skips_daily_and_off_rows(user):
    daily = NotificationFactory(recipient=user, delivery=DAILY)
    off = NotificationFactory(recipient=user, delivery=OFF)
    assert tasks.deliver_notifications([daily.pk, off.pk]) == 0
    assert mail.outbox == []


def test_failed_send_releases_the_row_for_a_retry(user, monkeypatch):
    import pytest

    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)

    def boom(self, *a, **kw):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    from kei_community.notifications.delivery import deliver

    with pytest.raises(ConnectionError):
        deliver([n.pk])
    n.refresh_from_db()
    assert n.emailed_at is None


def test_sweeper_sends_old_unsent_immediate_rows(user):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    assert tasks.sweep_unsent_notifications() == 1
    assert len(mail.outbox) == 1


def test_sweeper_leaves_fresh_rows_to_their_own_task(user):
    NotificationFactory(recipient=user, delivery=IMMEDIATE)
    assert tasks.sweep_unsent_notifications() == 0
    assert mail.outbox == []


def test_daily_digest_collects_daily_rows_in_one_email(user):
    NotificationFactory.create_batch(3, recipient=user, delivery=DAILY)
    NotificationFactory(recipient=user, delivery=OFF)
    assert tasks.send_daily_digests() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "3 new notifications" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_daily_digest_is_sent_only_once(user):
    NotificationFactory(recipient=user, delivery=DAILY)
    tasks.send_daily_digests()
    tasks.send_daily_digests()
    assert len(mail.outbox) == 1


def test_daily_digest_is_one_email_per_member(db):
    a, b = UserFactory(), UserFactory()
    NotificationFactory(recipient=a, delivery=DAILY)
    NotificationFactory(recipient=b, delivery=DAILY)
    tasks.send_daily_digests()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])


def test_beat_schedule_has_sweeper_and_digest(db):
    from kei_community.celery import app

    tasks_in_beat = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "kei_community.notifications.tasks.sweep_unsent_notifications" in tasks_in_beat
    assert "kei_community.notifications.tasks.send_daily_digests" in tasks_in_beat

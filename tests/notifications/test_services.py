import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.notifications.models import Notification, NotificationPreference
from kei_community.notifications.registry import DAILY, IMMEDIATE, OFF
from kei_community.notifications.services import (
    notification_create,
    notification_create_many,
    notification_preferences_set,
    notification_unsubscribe,
    notifications_mark_read,
)
from tests.factories import NotificationFactory, UserFactory


def _create(recipient, actor=None, **kw):
    return notification_create(
        recipient=recipient, kind="report_resolved", title="Reviewed", actor=actor, url="/x/", **kw
    )


def test_notification_is_written_with_the_default_delivery(user, other_user):
    n = _create(user, actor=other_user)
    assert n.recipient == user and n.delivery == IMMEDIATE and n.read_at is None


def test_the_actor_is_never_notified(user):
    assert _create(user, actor=user) is None
    assert not Notification.objects.exists()


def test_many_recipients_get_one_row_each(user, other_user):
    rows = notification_create_many(recipients=[user, other_user, user], kind="report_resolved", title="t")
    assert sorted(n.recipient_id for n in rows) == sorted([user.pk, other_user.pk])


@pytest.mark.django_db
def test_unknown_kind_is_a_programming_error(user):
    with pytest.raises(LookupError):
        notification_create(recipient=user, kind="no-such-kind", title="t")


def test_immediate_preference_sends_one_email_after_commit(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = _create(user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_email_carries_one_click_unsubscribe_headers(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _create(user)
    headers = mail.outbox[0].extra_headers
    assert (
        headers["List-Unsubscribe"].startswith("<http") and "/notifications/unsubscribe/" in headers["List-Unsubscribe"]
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_email_has_plain_text_and_html(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _create(user)
    message = mail.outbox[0]
    assert "Reviewed" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_off_preference_sends_no_email(user, django_capture_on_commit_callbacks):
    notification_preferences_set(user=user, preferences={"report_resolved": OFF})
    with django_capture_on_commit_callbacks(execute=True):
        n = _create(user)
    assert mail.outbox == []
    assert n.delivery == OFF


def test_daily_preference_sends_no_immediate_email(user, django_capture_on_commit_callbacks):
    notification_preferences_set(user=user, preferences={"report_resolved": DAILY})
    with django_capture_on_commit_callbacks(execute=True):
        n = _create(user)
    assert mail.outbox == []
    assert n.delivery == DAILY


def test_changing_preference_moves_unsent_rows(user):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    notification_preferences_set(user=user, preferences={"report_resolved": DAILY})
    n.refresh_from_db()
    assert n.delivery == DAILY


def test_preference_for_unknown_kind_is_rejected(user):
    with pytest.raises(ValidationError):
        notification_preferences_set(user=user, preferences={"nope": OFF})


def test_preference_with_unknown_delivery_is_rejected(user):
    with pytest.raises(ValidationError):
        notification_preferences_set(user=user, preferences={"report_resolved": "hourly"})


def test_member_cannot_change_another_members_preferences(user, other_user):
    with pytest.raises(PermissionDenied):
        notification_preferences_set(user=other_user, actor=user, preferences={"report_resolved": OFF})
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_turns_the_kind_off(user):
    notification_unsubscribe(user=user, kind="report_resolved")
    assert NotificationPreference.objects.get(user=user, kind="report_resolved").delivery == OFF


def test_unsubscribe_from_everything_turns_every_kind_off(user):
    from kei_community.notifications.registry import all_kinds

    notification_unsubscribe(user=user, kind="*")
    assert NotificationPreference.objects.filter(user=user, delivery=OFF).count() == len(all_kinds())


def test_mark_read_by_ids_only_touches_own_rows(user, other_user):
    mine = NotificationFactory(recipient=user)
    theirs = NotificationFactory(recipient=other_user)
    assert notifications_mark_read(user=user, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_only_touches_own_rows(user, other_user):
    NotificationFactory.create_batch(2, recipient=user)
    theirs = NotificationFactory(recipient=other_user)
    assert notifications_mark_read(user=user, all=True) == 2
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_without_ids_is_a_validation_error(user):
    with pytest.raises(ValidationError):
        notifications_mark_read(user=user, ids=[])


@pytest.mark.django_db
def test_inactive_members_are_not_notified():
    sleeper = UserFactory(is_active=False)
    assert _create(sleeper) is None


def test_email_is_enqueued_only_after_commit(user, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = _create(user)
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT


def test_broker_down_at_commit_keeps_the_row_pending_for_the_sweeper(
    user, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from kei_community.notifications import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_notifications, "apply_async", broker_down)  # sent by name
        with django_capture_on_commit_callbacks(execute=True):
            n = _create(user)  # no error reaches the caller
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts, n.emailed_at) == (Notification.EmailStatus.PENDING, 0, None)
    assert mailoutbox == []
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert tasks.sweep_unsent_notifications() == 1
    assert len(mailoutbox) == 1


def test_large_batches_are_split_into_several_delivery_tasks(monkeypatch):
    from kei_community.notifications import tasks
    from kei_community.notifications.services import enqueue_delivery_now

    batches: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver_notifications, "apply_async", lambda args, kwargs, **o: batches.append(args[0]))
    assert enqueue_delivery_now(list(range(1, 121))) is True
    assert [len(b) for b in batches] == [50, 50, 20]
    assert [i for b in batches for i in b] == list(range(1, 121))

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kei_community.notifications import tasks
from kei_community.notifications.models import Notification
from kei_community.notifications.registry import DAILY, IMMEDIATE, OFF
from tests.factories import NotificationFactory, UserFactory


def test_delivery_task_sends_each_notification_once(user):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    assert tasks.deliver_notifications([n.pk]) == 1
    assert tasks.deliver_notifications([n.pk]) == 0
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == (Notification.EmailStatus.SENT, 1)
    assert n.emailed_at is not None


def test_delivery_task_skips_daily_and_off_rows(user):
    daily = NotificationFactory(recipient=user, delivery=DAILY)
    off = NotificationFactory(recipient=user, delivery=OFF)
    assert tasks.deliver_notifications([daily.pk, off.pk]) == 0
    assert mail.outbox == []


def _failing_sends(monkeypatch, failures: int | None):
    """Make the first `failures` sends (every send when None) raise an SMTP error; later ones go out."""
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send
    calls = {"n": 0}

    def send(self, *args, **kwargs):
        calls["n"] += 1
        if failures is None or calls["n"] <= failures:
            raise smtplib.SMTPServerDisconnected("smtp went away")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return calls


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries at once (apply() re-runs the task); do not raise `Retry` at the caller."""
    from kei_community.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def _age(n, *, created=timedelta(minutes=30), **fields):
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - created, **fields)


def test_failed_send_puts_the_row_back_for_a_retry_and_counts_the_attempt(user, monkeypatch, mailoutbox):
    from kei_community.notifications.delivery import deliver

    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    _failing_sends(monkeypatch, failures=1)
    result = deliver([n.pk])
    assert (result.sent, result.retry, result.failed) == (0, [n.pk], [])
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts, n.emailed_at) == (Notification.EmailStatus.PENDING, 1, None)
    assert n.email_claimed_at is not None
    assert mailoutbox == []


def test_failed_send_is_retried_by_the_task_and_sent_once(user, monkeypatch, mailoutbox, eager_retries):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    calls = _failing_sends(monkeypatch, failures=1)
    assert tasks.deliver_notifications.apply(args=[[n.pk]]).successful()  # eager: the retry runs at once
    assert calls["n"] == 2
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == (Notification.EmailStatus.SENT, 2)
    assert n.emailed_at is not None


def test_one_failing_row_does_not_hold_back_the_others(db, monkeypatch, mailoutbox):
    from kei_community.notifications.delivery import deliver

    first, second = NotificationFactory(delivery=IMMEDIATE), NotificationFactory(delivery=IMMEDIATE)
    _failing_sends(monkeypatch, failures=1)
    result = deliver([first.pk, second.pk])
    assert (result.sent, result.retry) == (1, [first.pk])
    assert [m.to for m in mailoutbox] == [[second.recipient.email]]


def test_out_of_attempts_marks_the_row_failed(user, monkeypatch, mailoutbox, settings, eager_retries):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    calls = _failing_sends(monkeypatch, failures=None)
    assert tasks.deliver_notifications.apply(args=[[n.pk]]).successful()
    assert calls["n"] == 3
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts, n.emailed_at) == (Notification.EmailStatus.FAILED, 3, None)
    assert mailoutbox == []
    # Neither another task nor the sweeper tries a failed row again.
    _age(n, email_claimed_at=timezone.now() - timedelta(hours=1))
    assert tasks.deliver_notifications([n.pk]) == 0
    assert tasks.sweep_unsent_notifications() == 0
    assert calls["n"] == 3


def test_already_sent_row_is_not_resent_and_costs_one_query(user, mailoutbox, django_assert_num_queries):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    assert tasks.deliver_notifications([n.pk]) == 1
    with django_assert_num_queries(1):
        assert tasks.deliver_notifications([n.pk]) == 0
    assert len(mailoutbox) == 1


def test_row_claimed_by_a_live_sender_is_left_alone(user, mailoutbox):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=1), email_attempts=1)
    assert tasks.deliver_notifications([n.pk]) == 0  # a duplicate message while the first sender works
    assert tasks.sweep_unsent_notifications() == 0
    assert mailoutbox == []
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == ("claimed", 1)


def test_crash_after_claim_is_picked_up_by_the_sweeper_and_sent_once(user, mailoutbox):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    # A worker claimed the row 15 minutes ago and died before sending.
    _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=15), email_attempts=1)
    assert tasks.sweep_unsent_notifications() == 1
    assert len(mailoutbox) == 1
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == (Notification.EmailStatus.SENT, 2)
    assert tasks.sweep_unsent_notifications() == 0
    assert len(mailoutbox) == 1


def test_claim_timeout_is_a_setting(user, mailoutbox, settings):
    settings.NOTIFICATIONS_EMAIL_CLAIM_TIMEOUT_MINUTES = 30
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=15), email_attempts=1)
    assert tasks.sweep_unsent_notifications() == 0
    assert mailoutbox == []


def test_sweeper_marks_a_crashed_row_failed_on_its_last_attempt(user, mailoutbox, settings):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 2
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=15), email_attempts=2)
    assert tasks.sweep_unsent_notifications() == 0
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.FAILED
    assert mailoutbox == []


def test_sweeper_leaves_a_recent_failure_to_the_tasks_own_retry(user, mailoutbox):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    _age(n, email_claimed_at=timezone.now() - timedelta(minutes=2), email_attempts=1)
    assert tasks.sweep_unsent_notifications() == 0
    _age(n, email_claimed_at=timezone.now() - timedelta(minutes=20))
    assert tasks.sweep_unsent_notifications() == 1
    assert len(mailoutbox) == 1


def test_delivery_task_is_acknowledged_late_and_requeued_on_worker_loss():
    assert tasks.deliver_notifications.acks_late is True
    assert tasks.deliver_notifications.reject_on_worker_lost is True


def test_sweeper_sends_old_unsent_immediate_rows(user):
    n = NotificationFactory(recipient=user, delivery=IMMEDIATE)
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    assert tasks.sweep_unsent_notifications() == 1
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == (Notification.EmailStatus.SENT, 1)


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


def _fail_sends_to(monkeypatch, email: str, failures: int | None):
    """Sends to `email` raise an SMTP error the first `failures` times (every time when None)."""
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send
    calls = {"n": 0}

    def send(self, *args, **kwargs):
        if self.to == [email]:
            calls["n"] += 1
            if failures is None or calls["n"] <= failures:
                raise smtplib.SMTPServerDisconnected("smtp went away")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return calls


def _statuses(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("email_status", "email_attempts"))


def test_digest_lists_all_the_members_waiting_rows_in_one_email_and_marks_them_sent(user, mailoutbox):
    rows = NotificationFactory.create_batch(3, recipient=user, delivery=DAILY)
    assert tasks.send_daily_digests() == 1
    assert len(mailoutbox) == 1
    assert all(n.title in mailoutbox[0].body for n in rows)
    assert _statuses(user) == [(Notification.EmailStatus.SENT, 1)] * 3
    assert not Notification.objects.filter(recipient=user, emailed_at__isnull=True).exists()


def test_digest_task_run_twice_for_a_member_sends_once(user, mailoutbox):
    NotificationFactory.create_batch(2, recipient=user, delivery=DAILY)
    before = timezone.now().isoformat()
    assert tasks.send_digest(user.pk, before) == 2
    assert tasks.send_digest(user.pk, before) == 0  # a redelivery of the same task
    assert len(mailoutbox) == 1
    assert _statuses(user) == [(Notification.EmailStatus.SENT, 1)] * 2


def test_rerun_digest_task_leaves_rows_written_after_its_run_for_the_next_run(user, mailoutbox):
    NotificationFactory(recipient=user, delivery=DAILY)
    before = timezone.now().isoformat()
    assert tasks.send_digest(user.pk, before) == 1
    later = NotificationFactory(recipient=user, delivery=DAILY)
    assert tasks.send_digest(user.pk, before) == 0  # redelivered after a new row arrived
    assert len(mailoutbox) == 1
    later.refresh_from_db()
    assert (later.email_status, later.email_attempts) == (Notification.EmailStatus.PENDING, 0)


def test_failed_digest_send_puts_the_members_rows_back_to_pending(user, monkeypatch, mailoutbox):
    from kei_community.notifications.delivery import send_digest

    rows = NotificationFactory.create_batch(2, recipient=user, delivery=DAILY)
    _fail_sends_to(monkeypatch, user.email, failures=1)
    result = send_digest(user.pk)
    assert (result.sent, sorted(result.retry), result.failed) == (0, sorted(n.pk for n in rows), [])
    assert _statuses(user) == [(Notification.EmailStatus.PENDING, 1)] * 2
    assert mailoutbox == []


def test_digest_failure_for_one_member_does_not_hold_back_the_others_and_is_retried_once(
    db, monkeypatch, mailoutbox, eager_retries
):
    failing, other = UserFactory(), UserFactory()
    NotificationFactory.create_batch(2, recipient=failing, delivery=DAILY)
    NotificationFactory(recipient=other, delivery=DAILY)
    calls = _fail_sends_to(monkeypatch, failing.email, failures=1)
    assert tasks.send_daily_digests() == 2  # eager: the failing member's retry runs at once
    assert calls["n"] == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([failing.email, other.email])
    assert _statuses(failing) == [(Notification.EmailStatus.SENT, 2)] * 2
    assert _statuses(other) == [(Notification.EmailStatus.SENT, 1)]


def test_digest_whose_retry_was_lost_is_sent_once_by_the_sweeper(db, monkeypatch, mailoutbox):
    failing, other = UserFactory(), UserFactory()
    NotificationFactory(recipient=failing, delivery=DAILY)
    NotificationFactory(recipient=other, delivery=DAILY)
    _fail_sends_to(monkeypatch, failing.email, failures=1)
    tasks.send_daily_digests()  # eager + propagating: the failing member's retry never runs
    assert [m.to for m in mailoutbox] == [[other.email]]
    assert _statuses(failing) == [(Notification.EmailStatus.PENDING, 1)]
    assert tasks.sweep_unsent_notifications() == 0  # the last attempt is recent: left to the retry
    Notification.objects.filter(recipient=failing).update(email_claimed_at=timezone.now() - timedelta(minutes=15))
    assert tasks.sweep_unsent_notifications() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([failing.email, other.email])
    assert tasks.sweep_unsent_notifications() == 0
    assert len(mailoutbox) == 2


def test_crashed_digest_claim_is_taken_over_by_the_sweeper_and_sent_once(user, mailoutbox):
    rows = NotificationFactory.create_batch(2, recipient=user, delivery=DAILY)
    for n in rows:  # a worker claimed the rows 15 minutes ago and died before sending
        _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=15), email_attempts=1)
    assert tasks.sweep_unsent_notifications() == 1
    assert len(mailoutbox) == 1 and "2 new notifications" in mailoutbox[0].subject
    assert _statuses(user) == [(Notification.EmailStatus.SENT, 2)] * 2
    assert tasks.sweep_unsent_notifications() == 0
    assert tasks.send_daily_digests() == 0
    assert len(mailoutbox) == 1


def test_crashed_digest_claim_is_taken_over_by_the_next_digest_run(user, mailoutbox):
    n = NotificationFactory(recipient=user, delivery=DAILY)
    _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=15), email_attempts=1)
    assert tasks.send_daily_digests() == 1
    assert tasks.send_daily_digests() == 0
    assert len(mailoutbox) == 1
    assert _statuses(user) == [(Notification.EmailStatus.SENT, 2)]


def test_digest_claimed_by_a_live_sender_is_left_alone(user, mailoutbox):
    n = NotificationFactory(recipient=user, delivery=DAILY)
    _age(n, email_status="claimed", email_claimed_at=timezone.now() - timedelta(minutes=1), email_attempts=1)
    tasks.send_daily_digests()
    assert tasks.sweep_unsent_notifications() == 0
    assert mailoutbox == []
    assert _statuses(user) == [(Notification.EmailStatus.CLAIMED, 1)]


def test_sweeper_leaves_never_attempted_digest_rows_to_the_daily_run(user, mailoutbox):
    n = NotificationFactory(recipient=user, delivery=DAILY)
    _age(n, created=timedelta(hours=3))
    assert tasks.sweep_unsent_notifications() == 0
    assert mailoutbox == []
    assert _statuses(user) == [(Notification.EmailStatus.PENDING, 0)]


def test_digest_out_of_attempts_marks_the_members_rows_failed(user, monkeypatch, mailoutbox, settings, eager_retries):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    NotificationFactory.create_batch(2, recipient=user, delivery=DAILY)
    calls = _fail_sends_to(monkeypatch, user.email, failures=None)
    tasks.send_daily_digests()
    assert calls["n"] == 3
    assert _statuses(user) == [(Notification.EmailStatus.FAILED, 3)] * 2
    assert mailoutbox == []
    # Neither the next run nor the sweeper tries failed rows again.
    Notification.objects.filter(recipient=user).update(email_claimed_at=timezone.now() - timedelta(hours=1))
    assert tasks.send_daily_digests() == 0
    assert tasks.sweep_unsent_notifications() == 0
    assert calls["n"] == 3


def test_digest_task_is_acknowledged_late_and_requeued_on_worker_loss():
    assert tasks.send_digest.acks_late is True
    assert tasks.send_digest.reject_on_worker_lost is True


def test_beat_schedule_has_sweeper_and_digest(db):
    from kei_community.celery import app

    tasks_in_beat = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "kei_community.notifications.tasks.sweep_unsent_notifications" in tasks_in_beat
    assert "kei_community.notifications.tasks.send_daily_digests" in tasks_in_beat


# --- bursts (kinds with a burst noun; issue 10, defect 6) ------------------------------------------


@pytest.fixture
def burst_kind(settings):
    from kei_community.notifications import registry

    settings.NOTIFICATIONS_EMAIL_BURST_MINUTES = 10
    kind = registry.register_kind("test_burst", "Test pings", burst_noun="pings")
    yield kind.key
    registry._kinds.pop(kind.key, None)


def _rows(recipient, kind, n):
    return [NotificationFactory(recipient=recipient, kind=kind, delivery=IMMEDIATE) for _ in range(n)]


def _first_sent_then(recipient, kind, n):
    """One row emailed at once (which starts the window), then `n` more rows written after it."""
    (first,) = _rows(recipient, kind, 1)
    assert tasks.deliver_notifications([first.pk]) == 1
    return _rows(recipient, kind, n)


def _window_over(recipient):
    from django.db.models import F

    Notification.objects.filter(recipient=recipient).update(
        created_at=F("created_at") - timedelta(minutes=11),
        email_claimed_at=F("email_claimed_at") - timedelta(minutes=11),
    )


def test_burst_kind_sends_the_first_row_at_once_and_holds_the_next(user, burst_kind, mailoutbox):
    rest = _first_sent_then(user, burst_kind, 2)
    assert tasks.deliver_notifications([r.pk for r in rest]) == 0
    assert len(mailoutbox) == 1
    held = Notification.objects.filter(pk__in=[r.pk for r in rest])
    assert {(r.email_status, r.email_attempts) for r in held} == {(Notification.EmailStatus.PENDING, 0)}


def test_burst_flush_before_the_window_ends_sends_nothing(user, burst_kind, mailoutbox):
    _first_sent_then(user, burst_kind, 1)
    assert tasks.flush_notification_burst(user.pk, burst_kind) == 0
    assert len(mailoutbox) == 1


def test_burst_flush_sends_one_email_for_every_waiting_row(user, burst_kind, mailoutbox):
    rest = _first_sent_then(user, burst_kind, 3)
    tasks.deliver_notifications([r.pk for r in rest])
    _window_over(user)
    assert tasks.flush_notification_burst(user.pk, burst_kind) == 3
    assert len(mailoutbox) == 2 and mailoutbox[1].subject == "[Kei Community] 3 new pings"
    assert "/notifications/unsubscribe/" in mailoutbox[1].extra_headers["List-Unsubscribe"]
    assert mailoutbox[1].alternatives[0][1] == "text/html"
    assert {r.email_status for r in Notification.objects.all()} == {Notification.EmailStatus.SENT}


def test_the_burst_email_starts_a_new_window(user, burst_kind, mailoutbox):
    (second,) = _first_sent_then(user, burst_kind, 1)
    tasks.deliver_notifications([second.pk])
    _window_over(user)
    tasks.flush_notification_burst(user.pk, burst_kind)
    (third,) = _rows(user, burst_kind, 1)
    assert tasks.deliver_notifications([third.pk]) == 0  # the burst email went out a moment ago
    assert len(mailoutbox) == 2


def test_failed_burst_send_goes_back_to_pending_and_is_sent_once_later(user, burst_kind, monkeypatch, mailoutbox):
    from celery.exceptions import Retry

    rest = _first_sent_then(user, burst_kind, 2)
    tasks.deliver_notifications([r.pk for r in rest])
    _window_over(user)
    with monkeypatch.context() as patched:
        _failing_sends(patched, None)
        with pytest.raises(Retry):
            tasks.flush_notification_burst(user.pk, burst_kind)
    held = Notification.objects.filter(pk__in=[r.pk for r in rest])
    assert {(r.email_status, r.email_attempts) for r in held} == {(Notification.EmailStatus.PENDING, 1)}
    assert tasks.flush_notification_burst(user.pk, burst_kind) == 2
    assert tasks.flush_notification_burst(user.pk, burst_kind) == 0
    assert len(mailoutbox) == 2


def test_kinds_without_a_burst_noun_are_emailed_one_by_one(user, settings, mailoutbox):
    settings.NOTIFICATIONS_EMAIL_BURST_MINUTES = 10
    rows = _rows(user, "report_resolved", 3)
    assert tasks.deliver_notifications([r.pk for r in rows]) == 3
    assert len(mailoutbox) == 3


def test_waiting_rows_go_out_one_by_one_once_the_window_is_turned_off(user, burst_kind, settings, mailoutbox):
    rest = _first_sent_then(user, burst_kind, 2)
    tasks.deliver_notifications([r.pk for r in rest])
    settings.NOTIFICATIONS_EMAIL_BURST_MINUTES = 0
    assert tasks.flush_notification_burst(user.pk, burst_kind) == 2
    assert len(mailoutbox) == 3


def test_holding_a_burst_costs_the_same_queries_however_many_rows_wait(
    user, burst_kind, mailoutbox, django_assert_max_num_queries
):
    rest = _first_sent_then(user, burst_kind, 29)
    with django_assert_max_num_queries(10):  # with eager tasks this includes the (early) flush task
        assert tasks.deliver_notifications([r.pk for r in rest]) == 0
    _window_over(user)
    with django_assert_max_num_queries(8):
        assert tasks.flush_notification_burst(user.pk, burst_kind) == 29


def test_burst_flush_task_is_acknowledged_late_and_requeued_on_worker_loss():
    assert tasks.flush_notification_burst.acks_late is True
    assert tasks.flush_notification_burst.reject_on_worker_lost is True


def test_rows_already_waiting_together_go_out_in_one_email(user, burst_kind, mailoutbox):
    # E.g. the broker was down while they were written: the first delivery sends them all at once.
    rows = _rows(user, burst_kind, 3)
    assert tasks.deliver_notifications([rows[0].pk]) == 3
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "[Kei Community] 3 new pings"

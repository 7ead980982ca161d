"""Thin Celery wrappers around kei_community.notifications.delivery (idempotent: sent rows are skipped)."""

from __future__ import annotations

import random
import smtplib
from datetime import timedelta

from celery import shared_task

# Transient mail-server trouble: retry with exponential backoff (the digest task).
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)

SWEEP_OLDER_THAN = timedelta(minutes=5)
SWEEP_WITHIN = timedelta(days=2)

RETRY_BACKOFF = 30  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 1800


def retry_countdown(retries: int) -> int:
    """Exponential backoff with jitter: 30 s, 60 s, 120 s, … capped at 30 minutes."""
    base = min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2**retries)
    return base + random.randint(0, base // 4)


@shared_task(
    bind=True,
    ignore_result=True,
    # At least once: the message is acknowledged only after the task returns, and put back on
    # the queue when the worker process dies mid-task; sent rows are skipped on the rerun.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by the attempt counter on each row (NOTIFICATIONS_EMAIL_MAX_ATTEMPTS)
)
def deliver_notifications(self, notification_ids: list[int]) -> int:  # type: ignore[no-untyped-def]
    """Send immediate emails for these notifications; failed sends retry with backoff."""
    from kei_community.notifications.delivery import deliver

    result = deliver(notification_ids)
    if result.retry:
        raise self.retry(args=[result.retry], countdown=retry_countdown(self.request.retries))
    return result.sent


@shared_task(ignore_result=True)
def sweep_unsent_notifications() -> int:
    """Beat: re-enqueue immediate emails that never went out (broker down at commit, lost task,
    a sender that died after claiming); mark those out of attempts failed."""
    from kei_community.notifications.services import notifications_sweep_unsent

    return notifications_sweep_unsent(older_than=SWEEP_OLDER_THAN, within=SWEEP_WITHIN)["enqueued"]


@shared_task(
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def send_digest(user_id: int) -> int:
    from kei_community.notifications.delivery import send_digest as send

    return send(user_id)


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    """Beat, once a day: one digest task per member with notifications set to "daily digest"."""
    from kei_community.notifications.selectors import digest_recipient_ids

    user_ids = digest_recipient_ids()
    for user_id in user_ids:
        send_digest.delay(user_id)
    return len(user_ids)

"""Thin Celery wrappers around kei_community.notifications.delivery (idempotent: sent rows are skipped)."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from celery import shared_task

logger = logging.getLogger(__name__)

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
    a sender that died after claiming) and digests whose sender died or whose retry was lost;
    mark rows out of attempts failed. Returns how many tasks it enqueued."""
    from kei_community.notifications.services import notifications_sweep_unsent

    swept = notifications_sweep_unsent(older_than=SWEEP_OLDER_THAN, within=SWEEP_WITHIN)
    return swept["enqueued"] + swept["digests"]


@shared_task(
    bind=True,
    ignore_result=True,
    # At least once, like deliver_notifications: the member's rows are claimed before the send
    # and marked sent after it, so a redelivered or repeated task sends nothing twice.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by the attempt counter on each row (NOTIFICATIONS_EMAIL_MAX_ATTEMPTS)
)
def send_digest(self, user_id: int, before: str | None = None) -> int:  # type: ignore[no-untyped-def]
    """One member's daily digest of rows created up to `before` (ISO time: the run's start).

    A failed send retries with backoff; the retry keeps the same arguments (same rows).
    """
    from kei_community.notifications.delivery import send_digest as send

    result = send(user_id, before=datetime.fromisoformat(before) if before else None)
    if result.retry:
        raise self.retry(countdown=retry_countdown(self.request.retries))
    return result.sent


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    """Beat, once a day: one digest task per member with notifications set to "daily digest".

    Not acks_late: a fan-out lost mid-way leaves the rows pending for the next run (nothing is
    lost; a rerun would start a second run with a later cut-off).
    """
    from django.utils import timezone

    from kei_community.notifications.selectors import digest_recipient_ids

    before = timezone.now().isoformat()
    user_ids = digest_recipient_ids()
    enqueued = 0
    for user_id in user_ids:
        try:
            send_digest.delay(user_id, before)
        except Exception:  # one member's trouble (eager mode) or a broker hiccup never stops the others
            logger.warning("digest for member %s: could not run the digest task", user_id, exc_info=True)
            continue
        enqueued += 1
    return enqueued


@shared_task(
    bind=True,
    ignore_result=True,
    # At least once, like deliver_notifications: the rows are claimed before the send and marked
    # sent after it, so a redelivered or repeated flush sends nothing twice.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by the attempt counter on each row (NOTIFICATIONS_EMAIL_MAX_ATTEMPTS)
)
def flush_notification_burst(self, recipient_id: int, kind: str) -> int:  # type: ignore[no-untyped-def]
    """At the end of a burst window: one email for the member's waiting rows of a burst kind
    ("N new messages"). Enqueued with a countdown by the delivery that held the rows back."""
    from kei_community.notifications.delivery import flush_burst

    result = flush_burst(recipient_id, kind)
    if result.retry:
        raise self.retry(countdown=retry_countdown(self.request.retries))
    return result.sent

"""Thin Celery wrappers around kei_community.notifications.delivery (idempotent by emailed_at)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import shared_task

# Transient mail-server trouble: retry with exponential backoff.
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)

SWEEP_OLDER_THAN = timedelta(minutes=5)
SWEEP_WITHIN = timedelta(days=2)


@shared_task(
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Send immediate emails for these notifications according to each recipient's preference."""
    from kei_community.notifications.delivery import deliver

    return deliver(notification_ids)


@shared_task(ignore_result=True)
def sweep_unsent_notifications() -> int:
    """Re-enqueue immediate emails that never went out (broker down at commit, lost task)."""
    from kei_community.notifications.selectors import pending_immediate_ids
    from kei_community.notifications.services import enqueue_delivery_now

    ids = pending_immediate_ids(older_than=SWEEP_OLDER_THAN, within=SWEEP_WITHIN)
    if ids and enqueue_delivery_now(ids):
        return len(ids)
    return 0


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

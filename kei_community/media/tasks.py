"""Celery tasks for photos. Thin: the work is in services.photo_process."""

from __future__ import annotations

import logging

from celery import shared_task

from kei_community.media import services

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = 60
HARD_TIME_LIMIT = 90


@shared_task(
    bind=True,
    # Safe to redeliver: photo_process is idempotent (fixed file names, one row) and counts attempts in the
    # row, so a message that keeps killing its worker ends as a failed photo instead of looping.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by the attempt counter in the database (PHOTO_MAX_ATTEMPTS)
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=HARD_TIME_LIMIT,
)
def process_photo(self, photo_id: int, force: bool = False, claim: int | None = None) -> str:  # type: ignore[no-untyped-def]
    try:
        return services.photo_process(photo_id=photo_id, force=force, claim=claim)
    except services.PhotoRetry as retry:  # transient error in an attempt; the claim is kept for the retry
        raise self.retry(
            exc=retry.__cause__ or retry,
            countdown=retry.countdown,
            kwargs={"photo_id": photo_id, "force": False, "claim": retry.attempt},
        )
    except Exception as exc:  # before any attempt started (e.g. the database while claiming)
        if services.photo_process_give_up_if_exhausted(photo_id=photo_id):
            logger.warning("photo %s failed for good: %r", photo_id, exc)
            return "failed"
        countdown = services.retry_countdown(self.request.retries + 1)
        logger.info("photo %s: retrying in %ss after %r", photo_id, countdown, exc)
        raise self.retry(exc=exc, countdown=countdown, kwargs={"photo_id": photo_id, "force": False})


@shared_task(ignore_result=True)
def cleanup_photos() -> dict:
    """Daily beat job: rows whose owner is gone, files no row refers to."""
    return services.photos_cleanup()


@shared_task(ignore_result=True)
def sweep_photos() -> dict:
    """Beat job (every PHOTO_SWEEP_INTERVAL_SECONDS): re-enqueue pending rows and rows whose worker's lease ran out."""
    return services.photos_sweep()

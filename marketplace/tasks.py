"""Thin Celery tasks; the work lives in marketplace.services (idempotent). Services send these by name
(marketplace.services.rules.send_task through kei_community.core.enqueue) and never import this module."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def saved_search_alerts_for_listing(listing_id: int) -> int:
    return services.saved_search_alerts_for_listing(listing_id=listing_id)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def notify_price_drop(price_change_id: int) -> int:
    return services.price_drop_notify(price_change_id=price_change_id)


@shared_task
def expire_listings() -> int:
    return services.listings_expire()


@shared_task
def send_expiry_reminders() -> int:
    return services.listings_send_expiry_reminders()


@shared_task
def send_saved_search_digests() -> int:
    return services.saved_searches_send_digest()


@shared_task
def sweep_price_drops() -> int:
    """Catch price drops whose task was never enqueued (broker outage)."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from marketplace.models import PriceChange

    cutoff = timezone.now() - timedelta(minutes=5)
    ids = PriceChange.objects.filter(
        notified_at__isnull=True, new_price__lt=F("old_price"), created_at__lt=cutoff
    ).values_list("pk", flat=True)[:200]
    return sum(services.price_drop_notify(price_change_id=pk) for pk in ids)

"""The listing page-view counter: buffered in each process, counted in the cache, written to the row in batches.

An anonymous listing page is served from the page cache in well under a millisecond; a Redis round trip per
view was a third of that. So each process keeps the views it served in memory and sends them to the cache
with one INCRBY per listing once it holds `settings.LISTING_VIEWS_BUFFER` views or the oldest is
`settings.LISTING_VIEWS_BUFFER_SECONDS` old (checked on the next view; and when the process exits). The row is
written once per VIEWS_BATCH views counted in the cache. Selectors add what is in the cache and not written
yet, and what this process still holds (marketplace.selectors.listings.pending_views).
"""

from __future__ import annotations

import atexit
import logging

from django.db.models import F

from kei_community.core.counters import batched_count
from marketplace.keys import VIEWS_BATCH, views_buffer, views_key
from marketplace.models import Listing


def listing_record_view(*, listing_id: int) -> None:
    """Count a page view (see the module's docstring). Views sent while the cache is down go to the row at once."""
    for held_id, views in views_buffer.add(listing_id).items():
        _send(held_id, views)


def listing_views_flush() -> None:
    """Send this process's held views to the cache now (at exit; tests)."""
    for held_id, views in views_buffer.take().items():
        _send(held_id, views)


def _flush_at_exit() -> None:
    try:
        listing_views_flush()
    except Exception:  # noqa: BLE001 - a process going away must not fail on a view count
        logging.getLogger(__name__).warning("listing views held at exit were not counted", exc_info=True)


def _send(listing_id: int, views: int) -> None:
    if add := batched_count(views_key(listing_id), views, batch=VIEWS_BATCH):
        Listing.objects.filter(pk=listing_id).update(views_count=F("views_count") + add)


atexit.register(_flush_at_exit)

"""The listing page-view counter: counted in the cache, written to the row in batches."""

from __future__ import annotations

from django.db.models import F

from marketplace.keys import VIEWS_BATCH, views_key
from marketplace.models import Listing


def listing_record_view(*, listing_id: int) -> None:
    """Count a page view. Views are counted in the cache and written to the row in batches of
    VIEWS_BATCH (one UPDATE per batch instead of a row write per page view); selectors add the views
    not written yet. Without a working cache every view is written at once."""
    from django.core.cache import cache

    key = views_key(listing_id)
    counter = getattr(cache, "count", None)
    if counter is not None:  # one INCR (kei_community.core.cache)
        seen = counter(key)
    else:
        try:
            seen = cache.incr(key)
        except ValueError:  # first view since the counter was created or evicted
            seen = 1 if cache.add(key, 1, None) else _incr_or_zero(key)
    if seen <= 0:  # cache unreachable (fails open): write this view now
        Listing.objects.filter(pk=listing_id).update(views_count=F("views_count") + 1)
    elif seen % VIEWS_BATCH == 0:  # exactly one caller sees each multiple of VIEWS_BATCH
        Listing.objects.filter(pk=listing_id).update(views_count=F("views_count") + VIEWS_BATCH)


def _incr_or_zero(key: str) -> int:
    from django.core.cache import cache

    try:
        return int(cache.incr(key))
    except ValueError:
        return 0

"""Cache keys (and the per-process buffer of page views) the marketplace's writes and reads share. A lower
module: `marketplace.services` (the view counter writes these keys) and `marketplace.selectors` (which adds
the views not written to the row yet, and those this process still holds) both import it, and it imports
neither, so selectors never import services."""

from __future__ import annotations

import threading
import time

from django.conf import settings

# Page views are counted in the cache and written to Listing.views_count once per VIEWS_BATCH views.
VIEWS_BATCH = 50


def views_key(listing_id: int) -> str:
    return f"mkt:views:{listing_id}"


class _Buffer:
    """This process's views not yet sent to the cache: listing id -> views."""

    def __init__(self) -> None:
        self.views: dict[int, int] = {}
        self.since = 0.0  # when the oldest view held was counted (monotonic); 0: none held
        self.lock = threading.Lock()

    def add(self, listing_id: int) -> dict[int, int]:
        """Count a view; the views to send now (all held) when the buffer is full or old, else {}."""
        now = time.monotonic()
        limit = int(getattr(settings, "LISTING_VIEWS_BUFFER", 0))
        age = float(getattr(settings, "LISTING_VIEWS_BUFFER_SECONDS", 0))
        with self.lock:
            self.views[listing_id] = self.views.get(listing_id, 0) + 1
            if not self.since:
                self.since = now
            if sum(self.views.values()) < limit and now - self.since < age:
                return {}
            return self._take()

    def take(self) -> dict[int, int]:
        with self.lock:
            return self._take()

    def _take(self) -> dict[int, int]:
        held, self.views, self.since = self.views, {}, 0.0
        return held

    def held(self, listing_id: int) -> int:
        return self.views.get(listing_id, 0)


views_buffer = _Buffer()


def views_held(listing_id: int) -> int:
    """Views of a listing this process holds, not yet sent to the cache (marketplace.services.views_counter)."""
    return views_buffer.held(listing_id)

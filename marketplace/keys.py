"""Cache keys the marketplace's writes and reads share. A lower module: `marketplace.services` (the view
counter writes these keys) and `marketplace.selectors` (which adds the views not written to the row yet) both
import it, and it imports neither, so selectors never import services."""

from __future__ import annotations

# Page views are counted in the cache and written to Listing.views_count once per VIEWS_BATCH views.
VIEWS_BATCH = 50


def views_key(listing_id: int) -> str:
    return f"mkt:views:{listing_id}"

"""Counters kept in the cache and written to a row in batches (listing and state page views)."""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache


def batched_count(key: str, added: int, *, batch: int) -> int:
    """Add `added` to the counter under `key` (one INCRBY, `cache.count` of kei_community.core.cache) and return
    what the caller adds to its row now: the whole batches this addition completed (exactly one caller completes
    each), or all of `added` while the cache cannot be reached (nothing is lost)."""
    seen = int(cast(Any, cache).count(key, added))
    if seen <= 0:
        return added
    return (seen // batch - (seen - added) // batch) * batch

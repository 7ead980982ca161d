"""Marketplace cache keys: the listing-data version and the anonymous page keys.

A version number stored in the cache is part of every marketplace cache key; any listing write
bumps it, so cached pages and blocks never outlive a change for more than their TTL (which also
bounds photo placeholders). The whole-page cache itself is kei_community.core.page_cache.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

PAGE_TTL = 60
VERSION_KEY = "mkt:pages:version"


def bump() -> None:
    """Invalidate every cached marketplace page (call after any listing write)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def version() -> int:
    """The listing-data version: part of every marketplace cache key, bumped by every listing write."""
    return int(cache.get(VERSION_KEY) or 0)


def page_key(request: HttpRequest) -> str:
    """An anonymous page's key: its full path (filters included), htmx partials apart."""
    path = ("htmx:" if getattr(request, "htmx", False) else "") + request.get_full_path()
    return f"mkt:page:{version()}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"

"""Whole-page cache for anonymous forum pages and the reader-independent thread page data,
keyed on a version bumped by every forum write."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

VERSION_KEY = "forum:pages:version"
PAGE_TTL = 600


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        value = 1
        cache.add(VERSION_KEY, value, None)
    return int(value)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # key missing (evicted or never read)
        cache.set(VERSION_KEY, 2, None)


def bump() -> None:
    """Invalidate every cached forum page and thread page data.

    Bumped now (so the writer's own next read, even inside the transaction, never sees the old
    entry) and again after the writing transaction commits (so nothing cached from the
    not-yet-committed state in between survives).
    """
    _bump()
    transaction.on_commit(_bump)


def page_key(request: HttpRequest) -> str | None:
    """An anonymous page's key; None (not cached) for htmx requests. Only ?page= changes these pages:
    other query strings must not mint new cache entries."""
    if getattr(request, "htmx", False):
        return None
    page = request.GET.get("page", "")
    path = f"{request.path}?page={page[:6]}" if page else request.path
    return f"forum:html:{version()}:{path}"

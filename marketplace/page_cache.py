"""Whole-page cache for anonymous GETs of the search and listing pages.

A version number stored in the cache is part of every key; any listing write bumps it, so cached
pages never outlive a change for more than PAGE_TTL (which also bounds photo placeholders). The CSRF
token and CSP nonce are put in per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from kei_community.core.types import AppHttpRequest

PAGE_TTL = 60
VERSION_KEY = "mkt:pages:version"
CSRF_PLACEHOLDER = "__mkt_csrf__"
NONCE_PLACEHOLDER = "__mkt_nonce__"


def bump() -> None:
    """Invalidate every cached marketplace page (call after any listing write)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def version() -> int:
    """The listing-data version: part of every marketplace cache key, bumped by every listing write."""
    return int(cache.get(VERSION_KEY) or 0)


def page_key(path: str) -> str:
    return f"mkt:page:{version()}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"


def anonymous_page_cache(
    view: Callable[..., HttpResponse] | None = None, *, on_hit: Callable[..., None] | None = None
) -> Any:
    """Cache a view's anonymous GET responses whole. `on_hit(request, *args, **kwargs)` runs for each
    response served from the cache (the listing page counts its views there)."""
    if view is None:
        return lambda inner: anonymous_page_cache(inner, on_hit=on_hit)

    @wraps(view)
    def wrapper(request: AppHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
            return view(request, *args, **kwargs)
        key = page_key(("htmx:" if getattr(request, "htmx", False) else "") + request.get_full_path())
        cached = cache.get(key)
        if cached is not None:
            status, body = cached
            body = body.replace(NONCE_PLACEHOLDER, str(request.csp_nonce)).replace(CSRF_PLACEHOLDER, get_token(request))
            response = HttpResponse(body, status=status)
            response["X-Page-Cache"] = "hit"
            if on_hit is not None:
                on_hit(request, *args, **kwargs)
            return response
        request.page_cacheable = True  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 400) and not response.streaming and not response.has_header("Location"):
            content = response.content.decode()
            nonce = getattr(request, "_csp_nonce", None) or str(request.csp_nonce)
            cache.set(key, (response.status_code, content.replace(nonce, NONCE_PLACEHOLDER)), PAGE_TTL)
            response.content = content.replace(CSRF_PLACEHOLDER, get_token(request)).encode()
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def render_context(request: AppHttpRequest, context: dict) -> dict:
    if getattr(request, "page_cacheable", False):
        context["csrf_token"] = CSRF_PLACEHOLDER
    return context

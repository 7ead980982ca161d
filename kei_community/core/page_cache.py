"""Whole-page cache for anonymous GETs, shared by the apps (marketplace search and listing pages,
forum index, category and thread pages).

Each app says how a request maps to a key (`key_for`, which carries its own data version, so a
write invalidates by bumping the version). The CSRF token and the CSP nonce differ per response: a
page rendered for the cache carries placeholders that are filled in when it is served.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "__page_csrf__"
NONCE_PLACEHOLDER = "__page_nonce__"


def anonymous_page_cache(
    *,
    key_for: Callable[[HttpRequest], str | None],
    ttl: int,
    header: str = "X-Page-Cache",
    statuses: tuple[int, ...] = (200,),
    on_hit: Callable[..., None] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Cache a view's anonymous GET responses whole under `key_for(request)` (None: not cached).

    Requests with pending messages are never cached or served from the cache. A view can keep one
    response out of the cache with `request.page_dont_cache = True`. `on_hit(request, *args, **kwargs)`
    runs for each response served from the cache. `header` says "hit" or "miss".
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
                return view(request, *args, **kwargs)
            key = key_for(request)
            if key is None:
                return view(request, *args, **kwargs)
            cached = cache.get(key)
            if cached is not None:
                status, body = cached
                body = body.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
                response = HttpResponse(body.replace(CSRF_PLACEHOLDER, get_token(request)), status=status)
                response[header] = "hit"
                if on_hit is not None:
                    on_hit(request, *args, **kwargs)
                return response
            request.page_cacheable = True
            response = view(request, *args, **kwargs)
            if (
                response.status_code in statuses
                and not response.streaming
                and not response.has_header("Location")
                and not getattr(request, "page_dont_cache", False)
            ):
                content = response.content.decode()
                nonce = getattr(request, "_csp_nonce", None) or str(request.csp_nonce)
                cache.set(key, (response.status_code, content.replace(nonce, NONCE_PLACEHOLDER)), ttl)
                response.content = content.replace(CSRF_PLACEHOLDER, get_token(request)).encode()
                response[header] = "miss"
            return response

        return wrapper

    return decorator


def csrf_token_for(request: HttpRequest) -> str:
    """The CSRF token to write into a page: the placeholder while the page is rendered for the cache."""
    return CSRF_PLACEHOLDER if getattr(request, "page_cacheable", False) else get_token(request)


def cacheable_context(request: HttpRequest, context: dict) -> dict:
    """Template context whose `{% csrf_token %}` renders the placeholder when the page is cached."""
    if getattr(request, "page_cacheable", False):
        context["csrf_token"] = CSRF_PLACEHOLDER
    return context

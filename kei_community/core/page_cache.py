"""Whole-page cache for anonymous GETs, shared by the apps (marketplace search and listing pages,
forum index, category and thread pages).

Each app says how a request maps to a key (`key_for`, which carries its own data version, so a
write invalidates by bumping the version). The CSRF token and the CSP nonce differ per response.

Member content must never be able to produce a slot the cache fills in (issue 10, defect 3), so no
fixed placeholder string exists: a page rendered for the cache carries a CSRF marker drawn at random
for that one render (`secrets.token_urlsafe`, unknown to anyone when the member's text was saved) and
its own random CSP nonce. When the page is stored it is cut at exactly those strings, so the entry
records the positions of its slots (`texts` between them and `slots` saying which is which); serving
it joins the pieces around the reader's token and nonce and never searches the text again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

CSRF_SLOT = "c"
NONCE_SLOT = "n"


def _csrf_marker(request: Any) -> str:
    """This render's CSRF marker (random, made once per request that renders a page for the cache)."""
    marker = getattr(request, "page_csrf_marker", None)
    if marker is None:
        marker = request.page_csrf_marker = f"csrf{secrets.token_urlsafe(24)}"
    return str(marker)


def split_slots(content: str, *, csrf_marker: str, nonce: str) -> tuple[list[str], str]:
    """`content` cut at this render's CSRF marker and nonce: the texts between them and the slot kinds."""
    pieces = re.split(f"({re.escape(csrf_marker)}|{re.escape(nonce)})", content)
    texts = pieces[0::2]
    slots = "".join(CSRF_SLOT if sep == csrf_marker else NONCE_SLOT for sep in pieces[1::2])
    return texts, slots


def join_slots(texts: list[str], slots: str, *, csrf_token: str, nonce: str) -> str:
    """A stored page with the reader's CSRF token and nonce put in at the recorded positions."""
    out = [texts[0]]
    for kind, text in zip(slots, texts[1:], strict=True):
        out.append(csrf_token if kind == CSRF_SLOT else nonce)
        out.append(text)
    return "".join(out)


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
                status, texts, slots = cached
                body = join_slots(texts, slots, csrf_token=get_token(request), nonce=str(request.csp_nonce))
                response = HttpResponse(body, status=status)
                response[header] = "hit"
                if on_hit is not None:
                    on_hit(request, *args, **kwargs)
                return response
            request.page_cacheable = True
            marker = _csrf_marker(request)
            response = view(request, *args, **kwargs)
            if response.streaming:
                return response
            content = response.content.decode()
            nonce = getattr(request, "_csp_nonce", None) or str(request.csp_nonce)
            texts, slots = split_slots(content, csrf_marker=marker, nonce=nonce)
            if (
                response.status_code in statuses
                and not response.has_header("Location")
                and not getattr(request, "page_dont_cache", False)
            ):
                cache.set(key, (response.status_code, texts, slots), ttl)
                response[header] = "miss"
            token = get_token(request)
            if CSRF_SLOT in slots:  # every response rendered with the marker gets the real token
                response.content = join_slots(texts, slots, csrf_token=token, nonce=nonce).encode()
            return response

        return wrapper

    return decorator


def csrf_token_for(request: HttpRequest) -> str:
    """The CSRF token to write into a page: this render's random marker while the page is rendered for the cache."""
    return _csrf_marker(request) if getattr(request, "page_cacheable", False) else get_token(request)


def cacheable_context(request: HttpRequest, context: dict) -> dict:
    """Template context whose `{% csrf_token %}` renders this render's marker when the page is cached."""
    if getattr(request, "page_cacheable", False):
        context["csrf_token"] = _csrf_marker(request)
    return context

"""Whole-page cache for anonymous GETs, shared by the apps, through the cache layer (core.caching).

`@anonymous_page_cache(region=..., query=...)` keeps a view's anonymous GET responses whole. The key is
built in one place (`page_name`): the path, the htmx flag and only the query parameters the view
declares it understands, each through an optional normaliser (`?page=1` and no page are one entry). A
request with any other parameter (`?utm_source=...`) is served that same entry; on a miss the view runs
with those parameters removed (GET and QUERY_STRING), so the stored page is the one every request
sharing the key would get, and junk query strings never create entries. The page records the tags of every part read or built
while it rendered (core.caching collects them), so any write that fires one of them makes it stale; a
view adds tags of its own with `tags=` or `caching.depends_on(...)`.

Member content must never be able to produce a slot the cache fills in (issue 10, defect 3), so no
fixed placeholder string exists: a page rendered for the cache carries a CSRF marker drawn at random
for that one render (unknown to anyone when the member's text was saved) and its own random CSP
nonce. When the page is stored it is cut at exactly those strings (core.slots), so the entry records
the positions of its slots; serving it joins the pieces around the reader's token and nonce and never
searches the text again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token

from kei_community.core import caching, slots

CSRF = "csrf"
NONCE = "nonce"
MAX_VALUE = 200  # a declared parameter longer than this is not cached

Normaliser = Callable[[str], str | None]


def positive_int(default: int = 1, maximum: int = 10**6) -> Normaliser:
    """A normaliser for `?page=`-like parameters: the canonical number, None for the default or junk
    (the view treats both as the default)."""

    def normalise(value: str) -> str | None:
        try:
            number = int(value)
        except ValueError:
            return None
        return None if number <= default or number > maximum else str(number)

    return normalise


def page_name(
    request: HttpRequest, query: Mapping[str, Normaliser | None], *, htmx: bool = True
) -> tuple[str, bool] | None:
    """The page's name in its region and whether the request had undeclared parameters (left out of the
    name); None when the page is not cached (an htmx request to a view that does not cache them, an overlong value)."""
    is_htmx = bool(getattr(request, "htmx", False))
    if is_htmx and not htmx:
        return None
    kept: list[tuple[str, str]] = []
    undeclared = False
    for name, values in request.GET.lists():
        if name not in query:
            undeclared = True
            continue
        normalise = query[name]
        for value in values:
            if len(value) > MAX_VALUE:
                return None
            canonical = normalise(value) if normalise is not None else value
            if canonical:
                kept.append((name, canonical))
    name = request.path + ("?" + urlencode(sorted(kept)) if kept else "") + ("#htmx" if is_htmx else "")
    return name, undeclared


def _csrf_marker(request: Any) -> str:
    """This render's CSRF marker (random, made once per request that renders a page for the cache)."""
    marker = getattr(request, "page_csrf_marker", None)
    if marker is None:
        marker = request.page_csrf_marker = slots.marker()
    return str(marker)


def anonymous_page_cache(
    *,
    region: str,
    query: Mapping[str, Normaliser | None] | Sequence[str] = (),
    tags: Callable[..., Sequence[str]] | None = None,
    header: str = "X-Page-Cache",
    statuses: tuple[int, ...] = (200,),
    htmx: bool = True,
    on_hit: Callable[..., None] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Cache a view's anonymous GET responses whole in `region`.

    `query`: the parameters the view understands (names, or names mapped to a normaliser). `tags(request,
    *args, **kwargs)`: tags known from the URL (the page also records every tag its parts report).
    Requests with pending messages are never cached or served from the cache; `caching.dont_store()`
    during the view keeps that one response out. `on_hit(request, *args, **kwargs)` runs for each
    response served from the cache. `header` says "hit" or "miss".
    """
    declared: dict[str, Normaliser | None] = dict(query) if isinstance(query, Mapping) else dict.fromkeys(query)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
                return view(request, *args, **kwargs)
            named = page_name(request, declared, htmx=htmx)
            if named is None:
                return view(request, *args, **kwargs)
            name, undeclared = named
            part = caching.Part(region, name, tags=tags(request, *args, **kwargs) if tags else (), local=True)
            cached = part.get()
            if cached is not None:
                status, texts, names = cached
                values = {NONCE: str(request.csp_nonce)}
                if CSRF in names:  # a page without a form needs no token (nor the cookie that carries it)
                    values[CSRF] = get_token(request)
                body = slots.fill((texts, names), values)
                response = HttpResponse(body, status=status)
                response[header] = "hit"
                if on_hit is not None:
                    on_hit(request, *args, **kwargs)
                return response
            if undeclared:  # render exactly the page the key names
                kept = QueryDict(mutable=True)
                for key, values in request.GET.lists():
                    if key in declared:
                        kept.setlist(key, values)
                request.GET = kept.copy()
                request.META["QUERY_STRING"] = kept.urlencode()
            request.page_cacheable = True
            marker = _csrf_marker(request)
            with part.build():
                response = view(request, *args, **kwargs)
            if response.streaming:
                return response
            nonce = getattr(request, "_csp_nonce", None) or str(request.csp_nonce)
            cut = slots.cut(response.content.decode(), {marker: CSRF, nonce: NONCE})
            if (
                response.status_code in statuses
                and not response.has_header("Location")
                and part.set([response.status_code, *cut])
            ):
                response[header] = "miss"
            if CSRF in cut[1]:  # every response rendered with the marker gets the real token
                response.content = slots.fill(cut, {CSRF: get_token(request), NONCE: nonce}).encode()
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

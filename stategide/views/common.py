"""Helpers shared by the state guide's pages: the anonymous page caches, lookups that 404, error messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from kei_community.core import cache_tags
from kei_community.core.page_cache import anonymous_page_cache
from stategide import cache as guide_cache
from stategide import selectors, services
from stategide.models import Revision, StatePage

# Whole anonymous pages (kei_community.core.page_cache): nonce and CSRF token filled in per request.
anonymous_cache = anonymous_page_cache(
    region="guide.page", query=guide_cache.LIST_QUERY, tags=lambda request, *a, **kw: [cache_tags.STATES],
    header="X-Stategide-Cache",
)  # fmt: skip


def _count_cached_view(request: HttpRequest, code: str) -> None:
    services.page_record_view(code=code)


# State pages also count their views when served from the cache (the verification queue ranks by them).
state_page_cache = anonymous_page_cache(
    region="guide.page", tags=lambda request, code: [cache_tags.state(code)], header="X-Stategide-Cache",
    on_hit=_count_cached_view,
)  # fmt: skip


def _page_or_404(code: str) -> StatePage:
    page = selectors.page_get(code)
    if page is None:
        raise Http404("No state guide for that code.")
    return page


def _revision_or_404(page: StatePage, number: Any) -> Revision:
    revision = selectors.revision_get(page=page, number=number)
    if revision is None:
        raise Http404("No such revision.")
    return revision


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)

"""Helpers shared by the forum's pages: rendering, pagination, form errors, the anonymous whole-page cache."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forum import cache as forum_cache
from kei_community.core.ids import parse_int
from kei_community.core.page_cache import anonymous_page_cache, cacheable_context

CATEGORY_LEVELS = [
    ("watch", "Watching: a notification for every new thread and reply"),
    ("track", "Tracking: unread counts in lists, no notifications"),
    ("", "Normal: notified only when mentioned or for threads you watch"),
    ("mute", "Muted: left out of latest lists, never notified"),
]


# --- anonymous whole-page cache (kei_community.core.page_cache) ------------------------------------

anonymous_cache = anonymous_page_cache(
    region="forum.page", query=forum_cache.PAGE_QUERY, header="X-Forum-Cache", htmx=False
)


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, cacheable_context(request, context), status=status)


def _page_number(request: HttpRequest) -> int:
    return parse_int(request.GET.get("page"), minimum=1) or 1


def _pages(current: int, last: int) -> dict:
    return {
        "number": current,
        "last": last,
        "has_previous": current > 1,
        "has_next": current < last,
        "previous": current - 1,
        "next": current + 1,
        "numbers": [n for n in range(1, last + 1) if n in (1, last) or abs(n - current) <= 2],
    }


def _error_messages(exc: ValidationError) -> list[str]:
    return exc.messages


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

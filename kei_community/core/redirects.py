"""Redirect targets taken from a request (`next`, `return_to`, a Referer, a stored link) go through here.

Every such target in the project is checked with Django's `url_has_allowed_host_and_scheme`: only a
path on this site, or an absolute URL to this host (https only when the request came over https), is
followed; anything else ("https://evil.example/", "//evil.example", "/\\evil.example",
"javascript:alert(1)", control characters) falls back to a safe default chosen by the view.

    return redirect(next_url(request, fallback=listing.get_absolute_url()))
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_redirect(request: HttpRequest, url: str | None) -> bool:
    """True when `url` stays on this site (this request's host; https required on a secure request)."""
    if not url or not isinstance(url, str):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_redirect_url(request: HttpRequest, url: str | None, *, fallback: str = "/") -> str:
    """`url` when it is safe to follow, else `fallback` (a URL the code chose, never request data)."""
    return url if url and is_safe_redirect(request, url) else fallback


def next_url(request: HttpRequest, *, fallback: str = "/", field: str = "next") -> str:
    """The request's `next` (POST first, then the query string) when it is safe, else `fallback`."""
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    return safe_redirect_url(request, candidate, fallback=fallback)

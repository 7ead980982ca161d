"""Typing helpers for views (mypy): what our middleware adds to every request.

from kei_community.core.types import AppHttpRequest, AuthenticatedHttpRequest

def listing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    request.user.display_name   # User, not AbstractBaseUser | AnonymousUser
    request.htmx                 # django-htmx
    request.csp_nonce            # django-csp
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_htmx.middleware import HtmxDetails

    from kei_community.users.models import User


class AppHttpRequest(HttpRequest):
    """Any request after our middleware stack (anonymous or signed in)."""

    user: User | AnonymousUser  # type: ignore[assignment]
    htmx: HtmxDetails
    csp_nonce: str


class AuthenticatedHttpRequest(AppHttpRequest):
    """A request in a @login_required view."""

    user: User  # type: ignore[assignment]

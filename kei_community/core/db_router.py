"""Read replicas: reads that can tolerate a little lag go to ``DATABASE_REPLICA_URL``; all else to the primary.

- Only the pages listed in ``REPLICA_VIEWS`` (search, lists and public pages, by URL name) read from the
  replica, and only for GET/HEAD. Everything else, every write, ``select_for_update`` and anything inside a
  transaction on the primary, uses the primary.
- A visitor who has just written (any POST, PUT, PATCH or DELETE) reads their own writes: the response sets
  a short-lived cookie, and while it lives their reads stay on the primary (``DATABASE_REPLICA_PIN_SECONDS``).
- A replica that does not answer is skipped for ``DATABASE_REPLICA_RETRY_SECONDS``: pages are then read from
  the primary, never a 500.

Without ``DATABASE_REPLICA_URL`` there is no "replica" database and nothing here changes anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "kei_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Pages whose reads may lag the primary by a moment (URL names).
REPLICA_VIEWS = frozenset(
    {
        "home",
        "site-search",
        "marketplace:index",
        "marketplace:listing-detail",
        "marketplace:dealer-detail",
        "marketplace:prices",
        "forum:index",
        "forum:category",
        "forum:thread",
        "forum:search",
        "forum:feed-rss",
        "forum:feed-atom",
        "forum:category-feed-rss",
        "forum:category-feed-atom",
        "stategide:index",
        "stategide:csv",
        "stategide:detail",
        "stategide:history",
        "vehicles:catalog",
        "users:profile",
        "api:listing-list",
        "api:forum-thread-list",
        "api:forum-thread-posts",
        "api:state-list",
        "api:state-detail",
        "api:search",
        "api:chassis-code-list",
    }
)

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_usable() -> bool:
    """Connect (or health-check the open connection); on failure skip the replica for a while."""
    global _down_until
    if REPLICA not in connections.settings or time.monotonic() < _down_until:
        return False
    conn = connections[REPLICA]
    try:
        if conn.connection is not None and not conn.is_usable():  # the standby restarted or went away
            conn.close()
        conn.ensure_connection()
        conn.health_check_done = True  # type: ignore[attr-defined]  # just checked: the first query need not
        return True
    except DatabaseError as exc:
        _down_until = time.monotonic() + getattr(settings, "DATABASE_REPLICA_RETRY_SECONDS", 30)
        logger.warning("read replica unavailable (%s); reading from the primary", exc)
        conn.close()
        return False


def mark_replica_down() -> None:
    global _down_until
    _down_until = time.monotonic() + getattr(settings, "DATABASE_REPLICA_RETRY_SECONDS", 30)


def reset_replica_state() -> None:
    global _down_until
    _down_until = 0.0


class use_replica:
    """Context manager: reads in this block may go to the replica (used by the middleware and by jobs)."""

    def __enter__(self) -> use_replica:
        self._token = _replica_reads.set(True)
        return self

    def __exit__(self, *exc: object) -> None:
        _replica_reads.reset(self._token)


def replica_allowed(request: HttpRequest, view_name: str | None) -> bool:
    return (
        request.method in SAFE_METHODS
        and view_name in REPLICA_VIEWS
        and not request.COOKIES.get(PIN_COOKIE)
        and replica_configured()
    )


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _replica_reads.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Turns replica reads on for the pages in REPLICA_VIEWS, and pins a visitor who wrote to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _replica_reads.reset(token)
        if request.method not in SAFE_METHODS and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 15),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and replica_allowed(request, match.view_name) and replica_usable():
            token = _replica_reads.set(True)
            request._replica_token = token  # type: ignore[attr-defined]
        return None

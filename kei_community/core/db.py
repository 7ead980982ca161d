"""Database helpers shared by the apps' selectors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.models import Model


@contextlib.contextmanager
def planned_each_time(*models: type[Model]) -> Iterator[None]:
    """Queries in this block (reading `models`) are planned for their own values every time, never run as a
    prepared statement (PostgreSQL; elsewhere a no-op).

    With server-side binding psycopg prepares a statement after `DATABASE_PREPARE_THRESHOLD` runs on a
    connection, and after five more runs PostgreSQL may switch it to one generic plan for every value. That is
    the point for a page's small look-ups, and a trap for a search whose best plan depends on its values: at a
    million listings the generic plan of the ZIP + radius search read the table from disk and took 4.4 s
    instead of 0.3 s (bench/bench_marketplace.py's cold mode, after ten searches on one connection). Planning
    a search costs well under a millisecond."""
    saved = []
    for alias in dict.fromkeys(router.db_for_read(model) or DEFAULT_DB_ALIAS for model in models):
        wrapper = connections[alias]
        if wrapper.vendor != "postgresql":
            continue
        try:
            wrapper.ensure_connection()
        except DatabaseError:  # the query itself will report it (or the router's fallback will apply)
            continue
        raw = wrapper.connection
        saved.append((raw, raw.prepare_threshold))
        raw.prepare_threshold = None
    try:
        yield
    finally:
        for raw, threshold in saved:
            raw.prepare_threshold = threshold

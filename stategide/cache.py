"""Versioned cache keys for the state guide: publish/verify bumps the version after commit."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "stategide:version"
# Bump when templates or cached shapes change so a deploy never serves an old copy.
SCHEMA = "1"
PAGE_TTL = 60 * 60


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY) or version
    return str(version)


def bump_version() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def invalidate_on_commit() -> None:
    """Anonymous pages, the outlook table and the home map are rebuilt after the change commits."""
    transaction.on_commit(bump_version)


def key(*parts: object) -> str:
    return ":".join(["stategide", SCHEMA, current_version(), *(str(p) for p in parts)])

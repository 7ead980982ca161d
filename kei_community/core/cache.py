"""The Redis cache backend: fails open on every Redis error, so an outage is a slower page, never a 500.

Any `redis.exceptions.RedisError` (connection refused or reset, timeouts, an out-of-memory `ResponseError`
from a full Redis, a read-only replica...) and `OSError` turn a read into a miss and a write into a no-op.
After a failure the backend stops calling Redis for `CACHE_RETRY_SECONDS` (per process), so a dead server
costs one timeout, not one per cache call. API errors that Django documents still reach the caller:
`incr()` of a missing key raises ValueError.

The cache layer that the apps use is kei_community.core.caching; this is the backend under it.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisError, OSError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one `redis.Redis` per connection pool instead of making one per call.

    Django builds a new `redis.Redis` for every cache call; its constructor fills a table of ~170 response
    callbacks, which profiled at about 0.14 ms per call, more than the MGET it serves (two or three calls
    per cached page). A `redis.Redis` over a pool is safe to share between threads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class FailOpenRedisCache(RedisCache):
    _cache: Any  # RedisCacheClient (not declared by django-stubs)
    _down_until = 0.0

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _safe(self, method: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        if self._down_until and time.monotonic() < self._down_until:
            return default
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._down_until = time.monotonic() + float(getattr(settings, "CACHE_RETRY_SECONDS", 5))
            logger.warning("cache %s failed open: %s: %s", method, type(exc).__name__, exc)
            return default
        self._down_until = 0.0
        return result

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._safe("get", default, key, default, version)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._safe("get_many", {}, keys, version)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("set", None, *args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("add", False, *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("set_many", [], *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("delete", False, *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("delete_many", None, *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("incr", 0, *args, **kwargs)

    def decr(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("decr", 0, *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("touch", False, *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("has_key", False, *args, **kwargs)

    def clear(self) -> Any:
        return self._safe("clear", False)

    def count(self, key: str, delta: int = 1) -> int:
        """Add `delta` to a persistent counter and return it, in one INCRBY (Django's `incr` is an EXISTS then
        an INCRBY, and a missing key needs an `add` too): a missing counter starts at 0. 0 on a Redis error."""
        if self._down_until and time.monotonic() < self._down_until:
            return 0
        try:
            return int(self._cache.get_client(None, write=True).incr(self.make_and_validate_key(key), delta))
        except OUTAGE_ERRORS as exc:
            self._down_until = time.monotonic() + float(getattr(settings, "CACHE_RETRY_SECONDS", 5))
            logger.warning("cache count failed open: %s: %s", type(exc).__name__, exc)
            return 0

    def bump_versions(self, keys: list[str], fresh: Callable[[], int]) -> None:
        """Add one to each version key, a missing one starting from `fresh()`, in one round trip (a SET NX and
        an INCR per key, pipelined; Django's `incr` is an EXISTS and an INCRBY per key, and a `set` for a
        missing one). Nothing on a Redis error (fails open, like every write)."""
        if self._down_until and time.monotonic() < self._down_until:
            return
        try:
            pipe = self._cache.get_client(None, write=True).pipeline(transaction=False)
            for key in keys:
                made = self.make_and_validate_key(key)
                pipe.set(made, fresh(), nx=True)
                pipe.incr(made)
            pipe.execute()
        except OUTAGE_ERRORS as exc:
            self._down_until = time.monotonic() + float(getattr(settings, "CACHE_RETRY_SECONDS", 5))
            logger.warning("cache bump_versions failed open: %s: %s", type(exc).__name__, exc)

    def get_ints(self, keys: list[str]) -> list[int | None]:
        """Integer values (tag versions, set by set/add/incr) of already-made keys in one MGET, without the
        per-key work of get_many; None for a missing or non-integer value, and for every key on a Redis error."""
        raw = self._mget("get_ints", keys)
        return [None] * len(keys) if raw is None else [_int_or_none(value) for value in raw]

    def get_made(self, keys: list[str]) -> list[Any]:
        """Values of already-made keys (`make_key`) in one MGET, without get_many's per-key work; None for
        a missing key, and for every key on a Redis error."""
        raw = self._mget("get_made", keys)
        if raw is None:
            return [None] * len(keys)
        loads = self._cache._serializer.loads
        return [None if value is None else loads(value) for value in raw]

    def _mget(self, method: str, keys: list[str]) -> list[Any] | None:
        """Raw MGET of made keys; None (failing open, like _safe) while Redis is down or on a Redis error."""
        if self._down_until and time.monotonic() < self._down_until:
            return None
        try:
            return self._cache.get_client(None).mget(keys)
        except OUTAGE_ERRORS as exc:
            self._down_until = time.monotonic() + float(getattr(settings, "CACHE_RETRY_SECONDS", 5))
            logger.warning("cache %s failed open: %s: %s", method, type(exc).__name__, exc)
            return None


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:  # not an integer (a pickled value under that key)
        return None


class TagAwareLocMemCache(LocMemCache):
    """Django's local-memory cache (one process: `make run`, benchmarks without Redis) with `get_ints` and
    `get_made`."""

    # Django's internals, not declared by django-stubs.
    _cache: Any
    _expire_info: dict[str, float | None]
    _lock: Any

    def count(self, key: str, delta: int = 1) -> int:
        """Add `delta` to a persistent counter and return it (a missing counter starts at 0)."""
        try:
            return int(self.incr(key, delta))
        except ValueError:  # missing: the first to add it starts it, a racing caller increments
            return delta if self.add(key, delta, None) else int(self.incr(key, delta))

    def get_ints(self, keys: list[str]) -> list[int | None]:
        return [value if type(value) is int else None for value in self.get_made(keys)]

    def get_made(self, keys: list[str]) -> list[Any]:
        out: list[Any] = []
        now = time.time()
        expiry, data, loads = self._expire_info, self._cache, pickle.loads
        with self._lock:
            for key in keys:
                expires = expiry.get(key, -1)
                if expires is not None and expires <= now:  # missing (-1) or expired
                    out.append(None)
                    continue
                data.move_to_end(key, last=False)  # kept in LRU order, as get() does
                out.append(loads(data[key]))
        return out

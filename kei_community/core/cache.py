"""A Redis cache that fails open: an outage is a miss (reads) or a no-op (writes)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    def _safe(self, method: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(super(), method)(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            # Only an unreachable server fails open; API errors such as incr() of a
            # missing key (ValueError) still reach the caller as Django documents.
            logger.warning("cache %s failed open: %s", method, exc)
            return default

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

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("touch", False, *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._safe("has_key", False, *args, **kwargs)

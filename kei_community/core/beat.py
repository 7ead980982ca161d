"""Celery beat that runs each periodic job once, however many beat processes are started.

Every beat process runs this scheduler. Only the one holding a lock in the broker's Redis sends due jobs;
the others keep checking and take over within ``BEAT_LOCK_SECONDS`` when the holder stops or dies (its
lock is renewed every third of that time while it runs, and released when it shuts down). The schedule
lives in memory, so no machine needs a local schedule file. Without a Redis broker (``make run``: tasks run
in-process) there is nothing to share and the lock is always held.

Started as usual: ``celery -A kei_community beat`` (settings: ``CELERY_BEAT_SCHEDULER``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from typing import Any

from celery.beat import Scheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_KEY = "kei:beat:leader"


class SingleBeatScheduler(Scheduler):
    """An in-memory beat scheduler that sends jobs only while it holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lock_seconds = max(3, int(getattr(settings, "BEAT_LOCK_SECONDS", 60)))
        self.renew_every = self.lock_seconds / 3
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._redis: Any = None
        self._holding = False
        broker = getattr(settings, "BROKER_URL", "")
        if broker.startswith(("redis://", "rediss://", "unix://")):
            import redis

            self._redis = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
        super().__init__(*args, **kwargs)

    # -- the lock ---------------------------------------------------------------------------------
    _RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def hold_lock(self) -> bool:
        """Take the lock if it is free, or renew it if it is ours. False on any Redis error."""
        if self._redis is None:
            return True
        import redis

        ttl_ms = self.lock_seconds * 1000
        try:
            if self._holding and self._redis.eval(self._RENEW, 1, LOCK_KEY, self.token, ttl_ms):
                return True
            got = bool(self._redis.set(LOCK_KEY, self.token, nx=True, px=ttl_ms))
        except redis.RedisError as exc:
            logger.warning("beat: cannot reach the lock (%r); sending nothing until it answers", exc)
            got = False
        if got != self._holding:
            logger.info("beat %s: %s the lock", self.token, "took" if got else "does not hold")
        self._holding = got
        return got

    def release_lock(self) -> None:
        if self._redis is None or not self._holding:
            return
        import redis

        with contextlib.suppress(redis.RedisError):  # otherwise the lock expires by itself
            self._redis.eval(self._RELEASE, 1, LOCK_KEY, self.token)
        self._holding = False

    # -- celery.beat.Scheduler ---------------------------------------------------------------------
    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.hold_lock():
            return self.renew_every
        return min(super().tick(*args, **kwargs), self.renew_every)

    def close(self) -> None:
        self.release_lock()
        super().close()

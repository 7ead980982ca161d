"""Test layers (see ../README.md, "Tests"):

- fast tests: SQLite (or whatever DATABASE_URL says) with Celery eager and a local-memory cache;
- tests/services: real PostgreSQL, Redis and a Celery worker — skip without them, FAIL under CI=true;
- tests/browser: Playwright + Debian's Chromium — skip without it, FAIL under CI=true.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(ok: bool, reason: str) -> None:
    """Skip on a laptop without the server; fail loudly in CI where it must be present."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"CI requires this layer to run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _listings_publish_without_photos(settings) -> None:
    """Factories publish listings that have no photos yet: the "at least one ready photo" rule is off unless
    a test turns it on (settings.LISTING_MIN_READY_PHOTOS = 1), as the sell-flow tests do."""
    settings.LISTING_MIN_READY_PHOTOS = 0


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _clear_cache_keys_only() -> None:
    """Empty the cache without FLUSHDB: the Celery broker may share the Redis database."""
    from django.core.cache import cache

    client_owner = getattr(cache, "_cache", None)
    if client_owner is None or not hasattr(client_owner, "get_client"):
        cache.clear()
        return
    try:
        client = client_owner.get_client(write=True)
        prefix = cache.key_prefix
        for key in client.scan_iter(match=f"{prefix}:*" if prefix else "*:*:*", count=500):
            client.delete(key)
    except OSError:
        pass
    except Exception as exc:  # redis unreachable: the service fixtures report it
        if exc.__class__.__module__.startswith("redis"):
            return
        raise


@pytest.fixture(autouse=True)
def _fast_layer_defaults(request, settings) -> None:
    """Fast tests run tasks in-process and use a private local-memory cache."""
    from kei_community.core import caching

    caching.local_clear()  # no test serves a page another test's process copy holds
    from marketplace.keys import views_buffer

    views_buffer.take()  # nor counts the listing views another test left in this process's buffer
    if request.node.get_closest_marker("services") or request.node.get_closest_marker("browser"):
        # The real (Redis) cache outlives the flushed test database: start each test empty.
        _clear_cache_keys_only()
        return
    from kei_community.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.CACHES = {"default": {"BACKEND": "kei_community.core.cache.TagAwareLocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()


# --- the cache holds primitives and rendered HTML only (issue 11) ---------------------------------------

CACHE_PRIMITIVES = (str, bytes, int, float, bool, type(None))


def _assert_primitive(value: object, where: str) -> None:
    kind = type(value)
    if kind in CACHE_PRIMITIVES:
        return
    if kind in (list, tuple):
        for i, item in enumerate(value):  # type: ignore[arg-type]
            _assert_primitive(item, f"{where}[{i}]")
        return
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            _assert_primitive(key, f"{where} key {key!r}")
            _assert_primitive(item, f"{where}[{key!r}]")
        return
    raise AssertionError(
        f"the cache layer stored a {kind.__module__}.{kind.__qualname__} at {where}: "
        "only str, bytes, int, float, bool, None and lists, tuples and dicts of those may be cached"
    )


def _assert_no_model_pickled(data: bytes) -> None:
    """Unpickle what is about to be written to the cache; fail on any model class in it."""
    import io
    import pickle

    from django.db.models import Model

    class NoModels(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            found = super().find_class(module, name)
            # A model instance pickles as model_unpickle((app_label, model_name)), not as its class.
            if (module, name) == ("django.db.models.base", "model_unpickle") or (
                isinstance(found, type) and issubclass(found, Model)
            ):
                raise AssertionError(f"a cache entry unpickles to a model instance ({module}.{name})")
            return found

    NoModels(io.BytesIO(data)).load()


@pytest.fixture(autouse=True)
def _cache_stores_primitives_only(monkeypatch) -> None:
    """Every test, in every layer (fast tests with local memory, tests/services and tests/browser with Redis):
    each value the cache layer (kei_community.core.caching) stores must be primitives, and nothing written
    to the cache by anyone may unpickle to a model instance."""
    import pickle

    from django.core.cache.backends import locmem
    from django.core.cache.backends import redis as redis_backend

    from kei_community.core import caching

    real_store = caching._store_many

    def store_many(entries: dict, ttl: int) -> None:
        for key, value in entries.items():
            _assert_primitive(value, key)
        real_store(entries, ttl)

    monkeypatch.setattr(caching, "_store_many", store_many)

    class CheckedPickle:
        """locmem's `pickle`, checking each value it pickles."""

        loads = staticmethod(pickle.loads)
        HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL

        @staticmethod
        def dumps(value: object, *args: object, **kwargs: object) -> bytes:
            data = pickle.dumps(value, *args, **kwargs)  # type: ignore[arg-type]
            _assert_no_model_pickled(data)
            return data

    monkeypatch.setattr(locmem, "pickle", CheckedPickle)
    real_dumps = redis_backend.RedisSerializer.dumps

    def redis_dumps(self: object, obj: object) -> object:
        data = real_dumps(self, obj)  # type: ignore[arg-type]
        if isinstance(data, bytes):
            _assert_no_model_pickled(data)
        return data

    monkeypatch.setattr(redis_backend.RedisSerializer, "dumps", redis_dumps)


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def moderator(db):
    from tests.factories import ModeratorFactory

    return ModeratorFactory()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    return path if Path(path).exists() else shutil.which("chromium")

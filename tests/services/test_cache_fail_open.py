"""A Redis outage never turns a page into a 500: the cache fails open."""

from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.media.urls")]

CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kei_community.core.cache.FailOpenRedisCache",
            "LOCATION": CLOSED,
            "KEY_PREFIX": "kei-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.REDIS_URL = CLOSED


def test_cache_calls_fail_open(redis_down):
    from django.core.cache import caches

    from kei_community.core.cache import FailOpenRedisCache

    backend = caches["default"]
    assert isinstance(backend, FailOpenRedisCache)
    # The raw client really fails: this is an outage, not a mock.
    with pytest.raises(Exception):  # noqa: B017 - redis.ConnectionError
        backend._cache.get_client(write=False).ping()
    assert backend.get("k", "miss") == "miss"
    backend.set("k", "v")
    assert backend.get_many(["k"]) == {}
    assert backend.incr("n") == 0


def test_pages_render_200_with_redis_down(redis_down, client):
    member = UserFactory()
    assert client.get("/").status_code == 200
    assert client.get("/test/cached-home/").status_code == 200
    assert client.get(f"/members/{member.pk}/").status_code == 200
    client.login(email=member.email, password=DEFAULT_PASSWORD)
    assert client.get("/photos/avatar/").status_code == 200

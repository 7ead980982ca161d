"""The cache layer against a real Redis: what it stores, tag invalidation across processes' view of Redis,
and failing open on a real Redis error (not a mock)."""

from __future__ import annotations

import pickle

import pytest
from django.core.cache import cache

from tests.conftest import _assert_primitive
from tests.factories import ForumThreadFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _categories(db):  # type: ignore[no-untyped-def]
    """transaction=True flushes tables between tests; put the migration's categories back."""
    from forum.demo import ensure_categories

    ensure_categories()


def _raw():
    return cache._cache.get_client(write=True)


def _stored() -> dict[str, object]:
    """Every entry under this test's cache prefix, unpickled as Django's Redis serializer would."""
    client = _raw()
    prefix = cache.make_key("")
    out = {}
    for key in client.scan_iter(match=f"{prefix}*", count=500):
        data = client.get(key)
        if data is None:
            continue
        try:
            out[key.decode()] = int(data)
        except ValueError:
            out[key.decode()] = pickle.loads(data)  # noqa: S301 - our own test Redis
    return out


def test_what_the_layer_stores_in_redis_is_primitives_only(client):
    from kei_community.users.services import user_update_profile

    seller = UserFactory(display_name="Redis Seller")
    listing = ListingFactory(seller=seller)
    thread = ForumThreadFactory(author=seller)
    client.force_login(UserFactory())
    for url in (listing.get_absolute_url(), "/listings/", thread.get_absolute_url(), "/forum/"):
        assert client.get(url).status_code == 200
    client.logout()
    for url in (listing.get_absolute_url(), thread.get_absolute_url()):
        assert client.get(url).status_code == 200
    stored = _stored()
    parts = {key: value for key, value in stored.items() if ":c:" in key}
    assert any(".page:" in key for key in parts) and any("forum.data:" in key for key in parts)
    for key, value in parts.items():
        _assert_primitive(value, key)
    user_update_profile(actor=seller, user=seller, data={"display_name": "Renamed Seller"})
    for url in (listing.get_absolute_url(), thread.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "Renamed Seller" in body and "Redis Seller" not in body


def test_a_real_redis_error_fails_open(client):
    """A key of the wrong type makes Redis answer WRONGTYPE (a ResponseError, like a full Redis's OOM):
    the page is built and served, never a 500."""
    from kei_community.core.cache_tags import VERSION_PREFIX, thread

    subject = ForumThreadFactory()
    key = cache.make_key(VERSION_PREFIX + thread(subject.pk))
    _raw().delete(key)
    _raw().rpush(key, "not a version")
    try:
        response = client.get(subject.get_absolute_url())
        assert response.status_code == 200 and subject.title in response.content.decode()
    finally:
        _raw().delete(key)


@pytest.fixture
def redis_refusing_every_command(settings):
    """The cache on a real Redis that answers every data command with an error (an ACL user without
    permissions: NOPERM is a ResponseError, like a full Redis's OOM), for this test only."""
    import redis

    admin = redis.Redis.from_url(settings.REDIS_URL)
    user, password = "kei-test-noperm", "kei-test-noperm-pw"
    admin.execute_command("ACL", "SETUSER", user, "on", f">{password}", "resetkeys", "~*", "-@all", "+@connection")
    location = settings.REDIS_URL.replace("redis://", f"redis://{user}:{password}@", 1)
    settings.CACHES = {
        "default": {
            "BACKEND": "kei_community.core.cache.FailOpenRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "kei-test-noperm",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield
    admin.execute_command("ACL", "DELUSER", user)


def test_pages_render_when_redis_answers_every_command_with_an_error(redis_refusing_every_command, client):
    member = UserFactory()
    thread = ForumThreadFactory()
    listing = ListingFactory()
    for url in ("/", "/forum/", thread.get_absolute_url(), "/listings/", listing.get_absolute_url(), "/states/"):
        assert client.get(url).status_code == 200, url
    client.force_login(member)
    for url in ("/forum/", thread.get_absolute_url(), "/listings/", listing.get_absolute_url()):
        assert client.get(url).status_code == 200, url


def test_the_backend_reuses_one_redis_client_per_pool_and_it_still_works():
    """Django makes a redis.Redis per cache call (its constructor alone profiled at ~0.14 ms); the backend
    keeps one per connection pool, and values still round-trip through the real Redis."""
    client = cache._cache.get_client()
    assert cache._cache.get_client() is client and cache._cache.get_client(write=True) is client
    cache.set("reuse-probe", {"n": 1}, 30)
    assert cache.get("reuse-probe") == {"n": 1} and cache.get_many(["reuse-probe"]) == {"reuse-probe": {"n": 1}}
    assert cache._cache.get_client() is client


def test_count_is_one_incr_that_starts_a_missing_counter_at_one(monkeypatch):
    cache.delete("count-probe")
    client = cache._cache.get_client(write=True)
    sent = []
    real = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *args, **kw: sent.append(args[0]) or real(*args, **kw))
    assert cache.count("count-probe") == 1
    assert cache.count("count-probe") == 2
    assert sent == ["INCRBY", "INCRBY"]  # one command per count, no EXISTS, no SET
    assert cache.get("count-probe") == 2 and client.ttl(cache.make_key("count-probe")) == -1  # never expires


def test_single_flight_rebuilds_a_stale_search_once_while_concurrent_readers_get_the_last_one():
    """Six threads (six connections to the real Redis) ask for a search right after a write made it stale:
    one builds it, the others are served the matches it replaces at once."""
    import threading
    import time

    from kei_community.core import cache_tags, caching

    tag = cache_tags.listing_search("")
    caching.get_or_build("marketplace.search", "flight", lambda: "before", tags=[tag], single_flight=True)
    cache_tags.invalidate(tag)
    builds, got = [], []

    def slow_build():
        builds.append(1)
        time.sleep(0.5)
        return "after"

    def reader():
        got.append(caching.get_or_build("marketplace.search", "flight", slow_build, tags=[tag], single_flight=True))

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for thread in threads:
        thread.start()
        time.sleep(0.02)
    for thread in threads:
        thread.join(10)
    assert len(builds) == 1
    assert sorted(got) == ["after"] + ["before"] * 5
    assert caching.get_or_build("marketplace.search", "flight", slow_build, tags=[tag], single_flight=True) == "after"


def test_tag_bumps_go_in_one_round_trip_and_a_missing_tag_starts_at_a_fresh_version(monkeypatch):
    import redis

    from kei_community.core import cache_tags

    kept, missing = cache_tags.VERSION_PREFIX + "bump-kept", cache_tags.VERSION_PREFIX + "bump-missing"
    cache.set(kept, 7, None)
    cache.delete(missing)
    monkeypatch.setattr(cache_tags, "fresh_version", lambda: 1000)
    client = cache._cache.get_client(write=True)
    single, piped = [], []
    real_command, real_execute = client.execute_command, redis.client.Pipeline.execute
    monkeypatch.setattr(client, "execute_command", lambda *a, **kw: single.append(a[0]) or real_command(*a, **kw))
    monkeypatch.setattr(
        redis.client.Pipeline, "execute", lambda self, *a, **kw: piped.append(1) or real_execute(self, *a, **kw)
    )
    cache_tags.bump("bump-kept", "bump-missing")
    assert single == [] and piped == [1]  # one round trip for both tags
    assert cache.get_ints([cache.make_key(kept), cache.make_key(missing)]) == [8, 1001]
    assert client.ttl(cache.make_key(missing)) == -1  # versions never expire


def test_a_tag_bump_fails_open_when_redis_refuses_it(redis_refusing_every_command):
    from kei_community.core import cache_tags

    cache_tags.bump("refused")  # no exception: the write that fired it goes on
    assert cache.get_ints([cache.make_key(cache_tags.VERSION_PREFIX + "refused")]) == [None]

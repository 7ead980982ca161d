"""The cache layer itself (kei_community.core.caching, cache_tags, cache_release, slots, the fail-open backend)."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError, TimeoutError

from kei_community.core import cache_release, cache_tags, caching, slots

pytestmark = pytest.mark.django_db  # tags are fired on commit


@pytest.fixture
def release():
    """Restore the process's release version after a test changes it."""
    before = caching.release()
    yield
    caching.set_release(before)


def _counter():
    calls = []

    def build(value="v"):
        calls.append(value)
        return value

    return calls, build


def test_a_region_must_be_declared_in_settings():
    with pytest.raises(ImproperlyConfigured, match="nope"):
        caching.get_or_build("nope", "x", lambda: "v")


def test_region_ttl_comes_from_settings(settings):
    settings.CACHE_REGIONS = {**settings.CACHE_REGIONS, "forum.data": 7}
    assert caching.region_ttl("forum.data") == 7


def test_a_part_is_built_once_then_read():
    calls, build = _counter()
    assert caching.get_or_build("forum.data", "a", build, tags=[cache_tags.thread(1)]) == "v"
    assert caching.get_or_build("forum.data", "a", build, tags=[cache_tags.thread(1)]) == "v"
    assert calls == ["v"]


def test_firing_a_tag_makes_its_parts_unreachable_and_no_other():
    calls, build = _counter()
    caching.get_or_build("forum.data", "a", build, tags=[cache_tags.thread(1)])
    caching.get_or_build("forum.data", "b", build, tags=[cache_tags.thread(2)])
    cache_tags.invalidate(cache_tags.thread(1))
    caching.get_or_build("forum.data", "a", build, tags=[cache_tags.thread(1)])
    caching.get_or_build("forum.data", "b", build, tags=[cache_tags.thread(2)])
    assert len(calls) == 3


def test_a_key_carries_the_versions_of_its_tags():
    part = caching.Part("forum.data", "a", tags=[cache_tags.thread(1), cache_tags.member(2)])
    versions = caching.tag_versions([cache_tags.thread(1), cache_tags.member(2)])
    assert part.key is not None and part.key.endswith(f":{versions['thread:1']}.{versions['member:2']}")
    cache_tags.bump(cache_tags.member(2))
    assert caching.Part("forum.data", "a", tags=[cache_tags.thread(1), cache_tags.member(2)]).key != part.key


def test_tags_learned_while_building_are_recorded_and_checked_on_read():
    calls = []

    def build():
        calls.append(1)
        caching.depends_on(cache_tags.member(7))
        return "page"

    caching.get_or_build("forum.data", "index", build)
    caching.get_or_build("forum.data", "index", build)
    assert len(calls) == 1
    cache_tags.invalidate(cache_tags.member(7))
    caching.get_or_build("forum.data", "index", build)
    assert len(calls) == 2


def test_an_outer_part_records_the_tags_of_the_parts_inside_it_even_when_they_are_hits():
    inner_calls, inner = _counter()
    caching.get_or_build("forum.data", "inner", inner, tags=[cache_tags.category(3)])  # warm: the outer reads a hit
    outer_calls = []

    def outer():
        outer_calls.append(1)
        return caching.get_or_build("forum.data", "inner", inner, tags=[cache_tags.category(3)]) + "!"

    assert caching.get_or_build("forum.page", "outer", outer) == "v!"
    assert caching.get_or_build("forum.page", "outer", outer) == "v!"
    assert outer_calls == [1]
    cache_tags.invalidate(cache_tags.category(3))
    caching.get_or_build("forum.page", "outer", outer)
    assert len(outer_calls) == 2 and len(inner_calls) == 2


def test_dont_store_keeps_the_part_and_every_part_around_it_out():
    calls = []

    def inner():
        caching.dont_store()
        return "processing"

    def outer():
        calls.append(1)
        return caching.get_or_build("forum.data", "inner", inner)

    caching.get_or_build("forum.page", "outer", outer)
    caching.get_or_build("forum.page", "outer", outer)
    assert len(calls) == 2


def test_many_parts_are_read_with_one_get_many_and_only_the_missing_ones_built():
    built = []

    def build(names):
        built.append(sorted(names))
        return {name: f"card {name}" for name in names}

    items = {"1": [cache_tags.listing(1)], "2": [cache_tags.listing(2)]}
    assert caching.get_or_build_many("marketplace.card", items, build) == {"1": "card 1", "2": "card 2"}
    cache_tags.invalidate(cache_tags.listing(2))
    assert caching.get_or_build_many("marketplace.card", items, build) == {"1": "card 1", "2": "card 2"}
    assert built == [["1", "2"], ["2"]]


@pytest.mark.parametrize("value", [object(), {"when": __import__("datetime").date(2024, 1, 1)}, [b"ok", {1, 2}]])
def test_a_value_that_is_not_primitive_is_never_stored(value, caplog):
    calls = []

    def build():
        calls.append(1)
        return value

    with caplog.at_level(logging.ERROR, logger="kei_community.core.caching"):
        caching.get_or_build("forum.data", "bad", build)
        caching.get_or_build("forum.data", "bad", build)
    assert len(calls) == 2 and "not stored" in caplog.text


def test_safe_strings_are_stored_as_plain_strings():
    from django.utils.safestring import mark_safe

    assert type(caching.plain([mark_safe("<b>x</b>")])[0]) is str


def test_a_new_release_reads_and_writes_other_keys(release):
    calls, build = _counter()
    caching.get_or_build("marketplace.card", "1", build)
    caching.set_release("another-deploy")
    caching.get_or_build("marketplace.card", "1", build)
    assert len(calls) == 2


def test_the_release_is_a_hash_of_the_templates_and_code(settings, tmp_path):
    before = cache_release.compute()
    assert before == cache_release.compute()
    (tmp_path / "marketplace").mkdir()
    card = tmp_path / "marketplace" / "listing_card.html"
    card.write_text("<article>one shape</article>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with_dir = cache_release.compute()
    card.write_text("<article>another shape</article>")
    assert len({before, with_dir, cache_release.compute()}) == 3


# --- slots ----------------------------------------------------------------------------------------------


def test_slots_are_filled_at_the_recorded_positions_only():
    markers = {"token": slots.marker()}
    html = f'<input value="{markers["token"]}"><p>member text: {{token}} 9{"0" * 17}</p>'
    cut = slots.cut(html, {markers["token"]: "token"})
    assert slots.fill(cut, {"token": "SECRET"}) == '<input value="SECRET"><p>member text: {token} 9' + "0" * 17 + "</p>"


def test_a_stamp_escapes_what_it_fills(settings, tmp_path):
    (tmp_path / "stamp.html").write_text('<b title="{{ name }}">{% if loud %}!{% endif %}{{ name }}</b>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    stamp = slots.Stamp("stamp.html", ("name",))
    assert stamp.fill({"loud": True}, {"name": '<x>"'}) == '<b title="&lt;x&gt;&quot;">!&lt;x&gt;&quot;</b>'
    assert stamp.fill({"loud": False}, {"name": "y"}) == '<b title="y">y</b>'


# --- fails open on every Redis error --------------------------------------------------------------------


class BrokenClient:
    """A redis client whose every command fails with `error` (the fast layer has no Redis to fill up)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise self.error

        return fail


@pytest.fixture
def broken_redis(settings, monkeypatch):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCacheClient

    settings.CACHES = {
        "default": {"BACKEND": "kei_community.core.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    settings.CACHE_RETRY_SECONDS = 0

    def install(error: Exception):
        monkeypatch.setattr(RedisCacheClient, "get_client", lambda self, key=None, *, write=False: BrokenClient(error))
        return caches["default"]

    return install


@pytest.mark.parametrize(
    "error",
    [
        ResponseError("OOM command not allowed when used memory > 'maxmemory'."),
        ResponseError("READONLY You can't write against a read only replica."),
        RedisConnectionError("Connection refused"),
        TimeoutError("Timeout reading from socket"),
    ],
    ids=["out-of-memory", "read-only", "connection", "timeout"],
)
def test_every_redis_error_fails_open(broken_redis, error):
    backend = broken_redis(error)
    assert backend.get("k", "miss") == "miss"
    assert backend.set("k", "v") is None
    assert backend.get_many(["k"]) == {}
    assert backend.add("k", "v") is False
    assert backend.incr("n") == 0
    calls, build = _counter()
    assert caching.get_or_build("forum.data", "x", build, tags=[cache_tags.thread(1)]) == "v"  # built, served
    cache_tags.invalidate(cache_tags.thread(1))  # a write still succeeds


def test_after_a_redis_error_the_backend_skips_redis_for_a_while(broken_redis, settings):
    settings.CACHE_RETRY_SECONDS = 60
    backend = broken_redis(ResponseError("OOM command not allowed"))
    assert backend.get("k") is None
    calls = []
    backend._cache.get_client = lambda *a, **k: calls.append(1)  # any call to Redis would be recorded
    assert backend.get("k", "miss") == "miss" and calls == []


# --- local copies of whole pages (Part(local=True)) ------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_trust_window(settings):
    """These tests check every local copy (the trust window has tests of its own, below)."""
    settings.CACHE_LOCAL_TRUST_MS = 0


def _local_page(name="p", tags=(), value="page", deps=()):
    """Store a local=True part as the page cache does (building it, reporting `deps`)."""
    part = caching.Part("forum.page", name, tags=tags, local=True)
    assert part.get() is None
    with part.build():
        caching.depends_on(*deps)
    assert part.set(value)
    return part


def _shared_entry_deleted(part):
    from django.core.cache import cache

    cache.delete(part.key)


def test_a_local_copy_is_served_without_reading_the_shared_entry():
    part = _local_page(tags=[cache_tags.thread(1)], deps=[cache_tags.member(2)])
    _shared_entry_deleted(part)  # only this process's copy can answer now
    assert caching.Part("forum.page", "p", tags=[cache_tags.thread(1)], local=True).get() == "page"


def test_a_part_without_local_reads_only_the_shared_entry():
    part = _local_page(tags=[cache_tags.thread(1)])
    _shared_entry_deleted(part)
    assert caching.Part("forum.page", "p", tags=[cache_tags.thread(1)]).get() is None


def test_a_local_copy_goes_stale_when_a_tag_of_its_key_is_fired():
    part = _local_page(tags=[cache_tags.thread(1)])
    _shared_entry_deleted(part)
    cache_tags.bump(cache_tags.thread(1))
    assert caching.Part("forum.page", "p", tags=[cache_tags.thread(1)], local=True).get() is None


def test_a_local_copy_goes_stale_when_a_tag_learned_while_building_is_fired():
    part = _local_page(deps=[cache_tags.member(9)])
    _shared_entry_deleted(part)
    cache_tags.bump(cache_tags.member(9))
    assert caching.Part("forum.page", "p", local=True).get() is None


def test_clearing_the_cache_drops_every_local_copy_even_one_without_tags():
    from django.core.cache import cache

    _local_page(name="help")
    cache.clear()
    assert caching.Part("forum.page", "help", local=True).get() is None


def test_a_stale_local_copy_falls_back_to_the_shared_entry_and_is_kept_again():
    _local_page(deps=[cache_tags.member(3)])
    caching.local_clear()  # another process: nothing local yet
    assert caching.Part("forum.page", "p", local=True).get() == "page"  # read from the shared entry, copied
    assert len(caching._local.entries) == 1


def test_local_copies_stay_within_their_byte_budget_oldest_dropped_first(settings):
    settings.CACHE_LOCAL_BYTES = 10_000
    for n in range(10):
        _local_page(name=f"p{n}", value="x" * 2_000)
    assert caching._local.size <= 10_000
    kept = [name for _, name in caching._local.entries]
    assert "p9" in kept and "p0" not in kept


def test_no_local_copy_is_kept_when_the_budget_is_zero(settings):
    settings.CACHE_LOCAL_BYTES = 0
    _local_page()
    assert not caching._local.entries


def test_a_local_copy_expires_with_its_region_ttl(settings, monkeypatch):
    import time

    settings.CACHE_REGIONS = {**settings.CACHE_REGIONS, "forum.page": 30}
    part = _local_page()
    _shared_entry_deleted(part)
    now = time.monotonic()
    monkeypatch.setattr(caching.time, "monotonic", lambda: now + 31)
    assert caching.Part("forum.page", "p", local=True).get() is None


def test_a_local_copy_is_checked_with_one_read(monkeypatch):
    part = _local_page(tags=[cache_tags.thread(1)], deps=[cache_tags.member(2), cache_tags.member(3)])
    _shared_entry_deleted(part)
    reads = []
    real = caching._read_versions
    monkeypatch.setattr(caching, "_read_versions", lambda tags: reads.append(list(tags)) or real(tags))
    monkeypatch.setattr(caching, "_read", lambda keys: pytest.fail("the shared entry was read"))
    assert caching.Part("forum.page", "p", tags=[cache_tags.thread(1)], local=True).get() == "page"
    assert len(reads) == 1 and set(reads[0]) == {"thread:1", "member:2", "member:3", caching.LOCAL_TAG}


def test_a_local_copy_is_not_served_when_its_tags_cannot_be_read(monkeypatch):
    """The fail-open backend answers every key of an MGET with None while Redis is down: the copy cannot be
    checked, so it is not served (the page is built, as without the copy)."""
    _local_page()
    monkeypatch.setattr(caching, "_read_versions", lambda tags: [None] * len(tags))
    monkeypatch.setattr(caching, "_read", lambda keys: [None] * len(keys))
    assert caching.Part("forum.page", "p", local=True).get() is None


def test_the_local_memory_backend_counts_like_the_redis_one():
    from django.core.cache import cache

    assert cache.count("count-probe") == 1
    assert cache.count("count-probe") == 2
    assert cache.get("count-probe") == 2


def _fired_by_another_process(tag):
    """A tag bumped in the cache as another process's `bump` would, without this process knowing."""
    from django.core.cache import cache

    cache.incr(cache_tags.VERSION_PREFIX + tag)


def test_within_the_trust_window_a_checked_copy_is_served_without_a_read(settings, monkeypatch):
    settings.CACHE_LOCAL_TRUST_MS = 250
    _local_page(deps=[cache_tags.member(4)])
    _fired_by_another_process(cache_tags.member(4))
    monkeypatch.setattr(caching, "_read_versions", lambda tags: pytest.fail("the copy was checked"))
    assert caching.Part("forum.page", "p", local=True).get() == "page"


def test_after_the_trust_window_the_copy_is_checked_and_found_stale(settings, monkeypatch):
    import time

    settings.CACHE_LOCAL_TRUST_MS = 250
    _local_page(deps=[cache_tags.member(4)])
    _fired_by_another_process(cache_tags.member(4))
    now = time.monotonic()
    monkeypatch.setattr(caching.time, "monotonic", lambda: now + 0.3)
    assert caching.Part("forum.page", "p", local=True).get() is None


def test_a_tag_fired_in_this_process_is_seen_at_once_inside_the_trust_window(settings):
    settings.CACHE_LOCAL_TRUST_MS = 60_000
    _local_page(deps=[cache_tags.member(4)])
    cache_tags.bump(cache_tags.member(4))
    assert caching.Part("forum.page", "p", local=True).get() is None


# --- single flight: one rebuild of a stale part, the last value served meanwhile ----------------------------


def _building_elsewhere(region, name):
    """Another process holds the part's build lock."""
    from django.core.cache import cache

    assert cache.add(caching._key(region, name, {}, ()) + ":building", 1, 30)


def test_single_flight_serves_the_last_value_while_another_process_rebuilds():
    tag = cache_tags.listing_search("")
    calls, build = _counter()
    assert caching.get_or_build("marketplace.search", "s", lambda: build("v1"), tags=[tag], single_flight=True) == "v1"
    cache_tags.invalidate(tag)
    _building_elsewhere("marketplace.search", "s")
    got = caching.get_or_build("marketplace.search", "s", lambda: build("v2"), tags=[tag], single_flight=True)
    assert got == "v1" and calls == ["v1"]


def test_a_page_around_a_stale_value_served_by_single_flight_is_not_stored():
    tag = cache_tags.listing_search("")
    caching.get_or_build("marketplace.search", "s", lambda: "v1", tags=[tag], single_flight=True)
    cache_tags.invalidate(tag)
    _building_elsewhere("marketplace.search", "s")
    outer = caching.Part("marketplace.results", "page")
    with outer.build():
        caching.get_or_build("marketplace.search", "s", lambda: "v2", tags=[tag], single_flight=True)
    assert outer.set("page with v1") is False


def test_single_flight_builds_when_there_is_no_last_value_to_serve():
    _building_elsewhere("marketplace.search", "new")
    calls, build = _counter()
    assert caching.get_or_build("marketplace.search", "new", build, single_flight=True) == "v"
    assert calls == ["v"]


def test_single_flight_releases_its_lock_after_building_even_when_the_build_fails():
    from django.core.cache import cache

    def failing():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        caching.get_or_build("marketplace.search", "s", failing, single_flight=True)
    assert cache.get(caching._key("marketplace.search", "s", {}, ()) + ":building") is None


def test_without_single_flight_a_stale_part_is_always_rebuilt():
    tag = cache_tags.thread(5)
    caching.get_or_build("forum.data", "t", lambda: "v1", tags=[tag])
    cache_tags.invalidate(tag)
    _building_elsewhere("forum.data", "t")
    assert caching.get_or_build("forum.data", "t", lambda: "v2", tags=[tag]) == "v2"


def test_a_key_with_many_tags_stays_short_and_moves_with_any_of_them():
    tags = [cache_tags.listing_search(f"area:{n}:0") for n in range(20)]
    key = caching.Part("marketplace.search", "wide", tags=tags).key
    assert key is not None and len(key) < 120
    cache_tags.bump(tags[7])
    assert caching.Part("marketplace.search", "wide", tags=tags).key != key


# --- get_or_build(local=True): hot parts kept in the process too -------------------------------------------


def test_get_or_build_local_serves_this_process_copy_without_the_shared_entry():
    calls, build = _counter()
    tag = cache_tags.listing(7)
    assert caching.get_or_build("marketplace.detail", "7", build, tags=[tag], local=True) == "v"
    from django.core.cache import cache

    cache.delete(caching.Part("marketplace.detail", "7", tags=[tag]).key)  # only the local copy can answer
    assert caching.get_or_build("marketplace.detail", "7", build, tags=[tag], local=True) == "v"
    assert calls == ["v"]


def test_get_or_build_local_rebuilds_after_another_process_fires_its_tag():
    calls, build = _counter()
    tag = cache_tags.listing(8)
    caching.get_or_build("marketplace.detail", "8", build, tags=[tag], local=True)
    _fired_by_another_process(tag)
    caching.get_or_build("marketplace.detail", "8", build, tags=[tag], local=True)
    assert calls == ["v", "v"]


def test_get_or_build_local_single_flight_serves_the_last_value_while_another_process_rebuilds():
    tag = cache_tags.listing_search("")
    calls, build = _counter()
    caching.get_or_build("marketplace.results", "r", lambda: build("v1"), tags=[tag], single_flight=True, local=True)
    _fired_by_another_process(tag)
    _building_elsewhere("marketplace.results", "r")
    got = caching.get_or_build(
        "marketplace.results", "r", lambda: build("v2"), tags=[tag], single_flight=True, local=True
    )
    assert got == "v1" and calls == ["v1"]


def test_get_or_build_without_local_keeps_no_copy_in_the_process():
    caching.get_or_build("marketplace.detail", "9", lambda: "v", tags=[cache_tags.listing(9)])
    assert ("marketplace.detail", "9") not in caching._local.entries


def test_get_or_build_many_local_serves_trusted_copies_without_reading_redis(settings, monkeypatch):
    settings.CACHE_LOCAL_TRUST_MS = 60_000
    items = {"1": (cache_tags.listing(1),), "2": (cache_tags.listing(2),)}
    built = []

    def build(names):
        built.extend(names)
        return {name: f"card {name}" for name in names}

    assert caching.get_or_build_many("marketplace.card", items, build, local=True) == {"1": "card 1", "2": "card 2"}
    monkeypatch.setattr(caching, "_read", lambda keys: pytest.fail("read from Redis"))
    monkeypatch.setattr(caching, "_read_versions", lambda tags: pytest.fail("read from Redis"))
    assert caching.get_or_build_many("marketplace.card", items, build, local=True) == {"1": "card 1", "2": "card 2"}
    assert sorted(built) == ["1", "2"]


def test_get_or_build_many_local_rebuilds_what_another_process_changed_once_the_trust_window_is_over():
    items = {"1": (cache_tags.listing(1),), "2": (cache_tags.listing(2),)}
    built = []

    def build(names):
        built.extend(names)
        return {name: f"card {name} v{len(built)}" for name in names}

    caching.get_or_build_many("marketplace.card", items, build, local=True)
    _fired_by_another_process(cache_tags.listing(2))  # the module's tests run with no trust window
    found = caching.get_or_build_many("marketplace.card", items, build, local=True)
    assert built == ["1", "2", "2"] and found["1"] == "card 1 v2" and found["2"] == "card 2 v3"


def test_a_tag_fired_in_this_process_makes_trusted_card_copies_be_read_again(settings):
    settings.CACHE_LOCAL_TRUST_MS = 60_000
    items = {"1": (cache_tags.listing(1),)}
    built = []

    def build(names):
        built.extend(names)
        return {name: f"v{len(built)}" for name in names}

    caching.get_or_build_many("marketplace.card", items, build, local=True)
    cache_tags.invalidate(cache_tags.listing(1))
    assert caching.get_or_build_many("marketplace.card", items, build, local=True) == {"1": "v2"}


def test_inside_a_build_a_local_copy_is_checked_not_trusted(settings):
    """A part built now records its tags' current versions: an unchecked copy behind them would be stored in it."""
    settings.CACHE_LOCAL_TRUST_MS = 60_000
    calls, build = _counter()
    tag = cache_tags.listing(5)
    caching.get_or_build("marketplace.detail", "5", build, tags=[tag], local=True)
    _fired_by_another_process(tag)
    assert caching.get_or_build("marketplace.detail", "5", build, tags=[tag], local=True) == "v"
    assert calls == ["v"]  # outside a build: served from the trusted copy
    outer = caching.Part("marketplace.page", "page")
    with outer.build():
        caching.get_or_build("marketplace.detail", "5", build, tags=[tag], local=True)
    assert calls == ["v", "v"]  # inside the page's build: checked, found stale, rebuilt

"""CACHE_URL: the cache may live on a Redis apart from the Celery broker; REDIS_URL alone still serves both."""

from __future__ import annotations

from tests.test_settings import PRODUCTION_ENV, _settings

NAMES = ["CACHES", "CELERY_BROKER_URL", "CACHE_REGIONS"]


def test_cache_url_puts_the_cache_on_its_own_redis():
    s = _settings(NAMES, **PRODUCTION_ENV, CACHE_URL="redis://cache.internal:6379/0")
    assert s["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert s["CACHES"]["default"]["BACKEND"] == "kei_community.core.cache.FailOpenRedisCache"
    assert s["CELERY_BROKER_URL"] == PRODUCTION_ENV["REDIS_URL"]


def test_redis_url_alone_serves_the_cache_and_the_broker():
    s = _settings(NAMES, **PRODUCTION_ENV)
    assert s["CACHES"]["default"]["LOCATION"] == PRODUCTION_ENV["REDIS_URL"] == s["CELERY_BROKER_URL"]


def test_without_redis_the_cache_is_local_memory_and_every_region_has_a_ttl():
    s = _settings(NAMES, DATABASE_URL="", REDIS_URL="")
    assert s["CACHES"]["default"]["BACKEND"] == "kei_community.core.cache.TagAwareLocMemCache"
    assert s["CACHE_REGIONS"] and all(isinstance(ttl, int) and ttl > 0 for ttl in s["CACHE_REGIONS"].values())

"""CACHE_REGIONS_DISABLED (the benchmarks' cold mode): a disabled region is built every time and never stored."""

from kei_community.core import caching


def test_a_disabled_region_is_built_every_time(settings):
    settings.CACHE_REGIONS_DISABLED = ["marketplace.search"]
    calls = []
    for _ in range(2):
        caching.get_or_build("marketplace.search", "cold", lambda: calls.append(1) or "built")
    assert len(calls) == 2


def test_star_disables_every_region_including_many(settings):
    settings.CACHE_REGIONS_DISABLED = ["*"]
    calls = []

    def build(names):
        calls.append(names)
        return {name: name.upper() for name in names}

    for _ in range(2):
        assert caching.get_or_build_many("marketplace.card", {"a": [], "b": []}, build) == {"a": "A", "b": "B"}
    assert len(calls) == 2


def test_other_regions_stay_cached(settings):
    settings.CACHE_REGIONS_DISABLED = ["forum.page"]
    calls = []
    for _ in range(2):
        caching.get_or_build("marketplace.search", "warm", lambda: calls.append(1) or "built")
    assert len(calls) == 1

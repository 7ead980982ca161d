"""The tag namespace of the cache layer (kei_community.core.caching), shared by every app.

A tag names a piece of data that cached parts show. Each tag has a version number in the cache;
a cached part's key carries the versions of its tags (and a part records the versions of the tags it
only learns while it is built), so bumping a tag's version makes every part that shows it unreachable
at once. Services fire the tags of what they change with `invalidate(...)`: the version is bumped
now (the writer's own later reads in the same transaction) and again on commit
(`transaction.on_commit`, so nothing cached from the old rows in between survives).

The namespace lives here, in core, so that apps which must not import each other (the state guide
never imports the marketplace or the forum) still name the same data.
"""

from __future__ import annotations

import random

from django.core.cache import cache
from django.db import transaction

VERSION_PREFIX = "tagv:"

# Coarse tags: sets of things rather than one thing.
STATES = "states"  # every state guide page at once: the guide's list, its maps, the outlook table
FORUM_CATEGORIES = "forum:categories"  # the list of forum categories (added, renamed, reordered)


def listing(pk: int) -> str:
    """One listing: its page, its card, its detail fragments."""
    return f"listing:{pk}"


def thread(pk: int) -> str:
    """One forum thread: its pages, its row in lists."""
    return f"thread:{pk}"


def truck(pk: int) -> str:
    """One garage truck as other pages show it: its name and photos (a build thread's truck link and cover)."""
    return f"truck:{pk}"


def category(pk: int) -> str:
    """One forum category: its thread list, its row on the forum index, the index's latest threads in it."""
    return f"category:{pk}"


def member(pk: int) -> str:
    """What every page shows of one member: their public name (and avatar), dealer badge and profile."""
    return f"member:{pk}"


def state(code: str) -> str:
    """One jurisdiction's state guide: its page, its outlook (listing pages, forum banners)."""
    return f"state:{(code or '').upper()}"


def listing_search(state_code: str = "") -> str:
    """Cached search matches: those filtered to one state (`listing_search("TX")`) or all others ("")."""
    return f"search:{(state_code or '*').upper()}"


def fresh_version() -> int:
    """A starting version for a tag whose version is missing (never set, or evicted): random, so an
    evicted tag never comes back at a version an old entry was stored with."""
    return random.randrange(1, 2**52)  # noqa: S311 - not a secret, only distinct


def bump(*tags: str) -> None:
    """Bump the versions of these tags now (use `invalidate` in services)."""
    from kei_community.core.caching import local_distrust

    local_distrust()  # this process checks its local page copies again before serving them
    keys = [VERSION_PREFIX + tag for tag in dict.fromkeys(tags)]
    bump_versions = getattr(cache, "bump_versions", None)  # FailOpenRedisCache: one round trip
    if bump_versions is not None:
        bump_versions(keys, fresh_version)
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # missing: a fresh random version (an add racing us is fine either way)
            cache.set(key, fresh_version(), None)


def invalidate(*tags: str) -> None:
    """Make every cached part that shows these tags unreachable: now, and again once the transaction commits."""
    tags = tuple(dict.fromkeys(t for t in tags if t))
    if not tags:
        return
    bump(*tags)
    transaction.on_commit(lambda: bump(*tags))

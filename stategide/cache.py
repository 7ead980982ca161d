"""The state guide's use of the cache layer (kei_community.core.caching).

Its parts are tagged with the core tag namespace (kei_community.core.cache_tags), so the marketplace and
the forum, which show its outlooks, are invalidated without the guide importing them:

- `state(code)`: one jurisdiction: its page, its outlook (listing pages, forum banners about that state);
- `STATES`: everything that shows every jurisdiction: the list page, the maps, the outlook table.

A publish, a verification or a protection change calls `invalidate_on_commit(page.code)`.
"""

from __future__ import annotations

from kei_community.core import cache_tags

LIST_QUERY = ("status", "sort")  # the query parameters of the guide's list page


def invalidate_on_commit(*codes: str) -> None:
    """The pages, outlooks and maps of these states are stale (now and once the transaction commits).
    Without codes: every state."""
    if not codes:
        from kei_community.core.us import US_STATES

        codes = tuple(US_STATES)
    cache_tags.invalidate(cache_tags.STATES, *(cache_tags.state(code) for code in codes))

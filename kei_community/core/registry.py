"""Small hook registries (the way Wagtail hooks work).

kei_community never imports marketplace, forum or stategide. Those apps register
callables here in AppConfig.ready(); shared code and the other app call whatever is
registered, so either app can be removed without breaking the rest.

Known hook names:
- "reference_data": fn(stdout) -> None; loads data files shipped inside the app (idempotent).
- "seed_demo": fn(stdout) -> None; creates demo content through services (idempotent).
- "truck_listings": fn(truck) -> list[dict]; "this truck is for sale" cards for a garage truck.
- "truck_threads": fn(truck) -> list[dict]; build threads of a garage truck.
- "truck_links": fn(truck) -> list[dict]; {"label", "url"} links shown on a garage truck's page
  (the state guide registers "Can I register it in …?").
- "state_listing_counts": fn() -> dict[str, int]; active listings per US state (marketplace).
- "state_threads": fn(state_code, limit) -> list[dict]; recent threads tagged with a state (forum).
- "home_sections": fn(request) -> dict; context blocks for the home page.
- "site_search": fn(query, limit) -> dict; one group of results for /search/ and /api/v1/search/:
  {"label", "noun" (singular, e.g. "listing"), "results": the first `limit` [{"title", "url", "snippet"}],
  "count": how many match in all (the app's own search finds the same), "count_capped": True when `count`
  is a floor (shown "1,000+"), "more_url": the app's own search for the query ("" when there is none)}.
- "member_activity": fn(user_ids: list[int]) -> dict[int, dict]; per member
  {"threads": n, "posts": n, "url": str, "label": str} (one query per app; the forum registers it,
  e.g. for the marketplace's seller card).
- "moderation_targets": fn() -> list; content types that can be reported/held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_hooks: dict[str, list[tuple[int, Callable[..., Any]]]] = defaultdict(list)


def register(name: str, fn: Callable[..., Any] | None = None, *, order: int = 0) -> Any:
    """Register fn under name; usable as `register("x", fn)` or as a decorator."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        if all(existing is not func for _, existing in _hooks[name]):
            _hooks[name].append((order, func))
            _hooks[name].sort(key=lambda pair: pair[0])
        return func

    return decorator(fn) if fn is not None else decorator


def get_hooks(name: str) -> list[Callable[..., Any]]:
    return [fn for _, fn in _hooks[name]]


def call_hooks(name: str, *args: Any, **kwargs: Any) -> list[Any]:
    return [fn(*args, **kwargs) for fn in get_hooks(name)]

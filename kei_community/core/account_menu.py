"""The account menu (the signed-in member's name in the header): every app adds the pages a member owns.

kei_community never imports marketplace, forum or stategide. Like `sitemaps.py`, each installed app's
`account_menu.py` module is discovered the first time the menu is built, and calls

    from kei_community.core.account_menu import register

    register("messages", label="Messages", url_name="conversations:inbox", icon="chat", order=10,
             count=unread_conversation_count,   # fn(user) -> int, run only when the menu is drawn
             count_sql=unread_sql)              # fn() -> SQL counting it for the member `u.id`

With `count_sql`, the count rides on the one query that loads the signed-in member with their header state
(kei_community.users.selectors.user_with_header_state, as `menu_<key>_count`): the menu costs no query.
An entry whose URL does not resolve (its app is not installed) is left out. Entries are sorted by order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url_name: str
    icon: str
    order: int
    count: Callable[[Any], int] | None = None
    count_sql: Callable[[], str] | None = None

    @property
    def annotation(self) -> str:
        return f"menu_{self.key}_count"


_entries: dict[str, Entry] = {}


def register(
    key: str,
    *,
    label: str,
    url_name: str,
    icon: str,
    order: int,
    count: Callable[[Any], int] | None = None,
    count_sql: Callable[[], str] | None = None,
) -> None:
    _entries[key] = Entry(
        key=key, label=label, url_name=url_name, icon=icon, order=order, count=count, count_sql=count_sql
    )


@lru_cache(maxsize=1)
def _discover() -> None:
    from kei_community.core import account_menu_core  # noqa: F401 - the shared parts' own entries

    autodiscover_modules("account_menu")


def header_count_columns() -> str:
    """`(<count SQL>) AS menu_<key>_count, ` for every entry with count_sql, for the header-state query."""
    _discover()
    return "".join(
        f"({entry.count_sql()}) AS {entry.annotation}, "
        for entry in sorted(_entries.values(), key=lambda e: e.key)
        if entry.count_sql is not None
    )


def _count(entry: Entry, user: Any) -> int:
    annotated = getattr(user, entry.annotation, None)
    if annotated is not None:
        return int(annotated)
    assert entry.count is not None
    return entry.count(user)


@lru_cache(maxsize=1)
def _entries_with_urls() -> tuple[tuple[Entry, str], ...]:
    _discover()
    out = []
    for entry in sorted(_entries.values(), key=lambda e: (e.order, e.key)):
        try:
            out.append((entry, reverse(entry.url_name)))
        except NoReverseMatch:
            continue
    return tuple(out)


def menu_for(user: Any) -> list[dict[str, Any]]:
    """The member's menu: [{"key", "label", "url", "icon", "count"}]; each count runs when first read."""
    items = []
    for entry, url in _entries_with_urls():
        count: Any = None
        if entry.count is not None:
            count = SimpleLazyObject(lambda entry=entry: _count(entry, user))  # type: ignore[misc]
        items.append({"key": entry.key, "label": entry.label, "url": url, "icon": entry.icon, "count": count})
    return items

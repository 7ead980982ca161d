"""`{% site_header %}`: the layout's header (templates/includes/site_header.html) for this reader.

Every page renders the header, and its markup (navigation, search box, the account menu with a dozen
icons) cost more than a signed-in page's cache reads. It is a `slots.Stamp`: rendered once per variant
per process and release, then filled per request. The variant is what changes its shape (signed in or
not, moderator, the section whose link is active, whether the bell and each menu entry show a count);
the reader's own values (name, profile link, counts, CSRF token, the search box's text) are slots,
escaped when filled.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from kei_community.core import slots
from kei_community.core.context_processors import layout_links

register = template.Library()

HEADER_SLOTS = ("public_name", "profile_url", "unread", "csrf_token", "q")
_stamps: dict[tuple[str, ...], slots.Stamp] = {}


def _stamp(menu_keys: tuple[str, ...]) -> slots.Stamp:
    """The header's stamp for a menu of these entries (one count slot per entry; the same for every member)."""
    stamp = _stamps.get(menu_keys)
    if stamp is None:
        names = (*HEADER_SLOTS, *(f"count_{k}" for k in menu_keys))
        stamp = _stamps[menu_keys] = slots.Stamp("includes/site_header.html", names)
    return stamp


SECTIONS = (("/listings/", "listings"), ("/forum/", "forum"), ("/states/", "states"))


def _section(path: str) -> str:
    for prefix, name in SECTIONS:
        if path.startswith(prefix):
            return name
    return ""


def _count(value: Any) -> int:
    """A count as a number (menu counts are lazy objects, which int() does not see through)."""
    if value is None:
        return 0
    try:
        return int(str(value))
    except ValueError:
        return 0


@register.simple_tag(takes_context=True)
def site_header(context: Any) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    member = bool(user is not None and user.is_authenticated)
    moderator = member and bool(getattr(user, "is_moderator", False))
    nav, _ = layout_links()
    path = request.path if request is not None else ""
    unread = _count(context.get("unread_notifications")) if member else 0
    menu = context.get("ACCOUNT_MENU") or () if member else ()
    counts = {item["key"]: _count(item["count"]) for item in menu}
    key = (member, moderator, _section(path), unread > 0, tuple((k, c > 0) for k, c in counts.items()))

    def variant() -> dict[str, Any]:
        return {
            "member": member,
            "moderator": moderator,
            "section": _section(path),
            "has_unread": unread > 0,
            "unread": slots.Slot("unread"),
            "nav": nav,
            "site_name": settings.SITE_NAME,
            "public_name": slots.Slot("public_name"),
            "profile_url": slots.Slot("profile_url"),
            "csrf_token": slots.Slot("csrf_token"),
            "q": slots.Slot("q"),
            "menu": [
                {**item, "count": slots.Slot(f"count_{item['key']}") if counts[item["key"]] else None} for item in menu
            ],
        }

    values = {
        "public_name": slots.escaped(user.public_name) if member else "",
        "profile_url": slots.escaped(user.get_absolute_url()) if member else "",
        "unread": str(unread),
        # Only a member's header posts (Sign out): an anonymous one makes no token (nor its cookie).
        "csrf_token": slots.escaped(context.get("csrf_token") or "") if member else "",
        "q": slots.escaped(request.GET.get("q", "") if request is not None else ""),
        **{f"count_{k}": str(c) for k, c in counts.items()},
    }
    pattern = _stamp(tuple(counts)).pattern(key, variant)
    return mark_safe(pattern.format_map(values))  # noqa: S308 - template markup, values escaped

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


# Parameters that are not filters: the order, the page, and the radius without a ZIP to measure from.
NOT_FILTERS = ("ordering", "page")


@register.simple_tag
def active_filter_count(query: Any) -> int:
    """How many search filters are on (the "Filters (n)" button): non-empty parameters but the order and page."""
    try:
        items = [(key, value) for key in query for value in query.getlist(key)]
    except AttributeError:
        return 0
    present = {key for key, value in items if str(value).strip()}
    if "radius" in present and "zip" not in present:
        present.discard("radius")
    return len(present - set(NOT_FILTERS))

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


@register.simple_tag
def active_filter_count(query: Any) -> int:
    """How many search filters are on (the "Filters (n)" button): the declared filters (marketplace.search)
    with a value, not the sort, nor a radius without a ZIP to measure from."""
    from marketplace.search import SEARCH_FILTERS

    try:
        present = {
            f.param
            for f in SEARCH_FILTERS
            if f.kind != "ordering" and any(str(v).strip() for v in query.getlist(f.param))
        }
    except AttributeError:
        return 0
    if "radius" in present and "zip" not in present:
        present.discard("radius")
    return len(present)


@register.simple_tag
def search_criteria(query: str) -> list[tuple[str, str]]:
    """A saved search's query string as (label, value) pairs, the filters that are on, in the form's order
    ("Keywords: hijet · Listed in: TX"), as marketplace.search declares them."""
    from django.http import QueryDict

    from marketplace.search import criteria

    return criteria(QueryDict(query or ""))

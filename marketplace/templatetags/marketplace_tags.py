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


# How a saved search's criteria read in the list of saved searches ("Keywords: hijet · State: TX").
CRITERIA_LABELS = {
    "q": "Keywords", "zip": "Near ZIP", "radius": "Within (mi)", "make": "Make", "model": "Model",
    "chassis_code": "Chassis code", "year_min": "Built from", "year_max": "Built up to", "price_min": "Price from $",
    "price_max": "Price up to $", "odometer_max": "Odometer up to (km)", "drive": "Drive",
    "transmission": "Transmission", "bed_type": "Bed", "title_status": "Title", "location_status": "Location",
    "state": "Listed in", "registrable_in": "Registrable in", "import_eligible": "Import-eligible now",
    "ordering": "Sorted by",
}  # fmt: skip


@register.simple_tag
def search_criteria(query: str) -> list[tuple[str, str]]:
    """A saved search's query string as (label, value) pairs, the filters that are on, in the form's order."""
    from django.http import QueryDict

    from marketplace.filters import ORDERING_LABELS

    params = QueryDict(query or "")
    out = []
    for key, label in CRITERIA_LABELS.items():
        value = (params.get(key) or "").strip()
        if not value or key == "page":
            continue
        if key == "ordering":
            value = str(ORDERING_LABELS.get(value, value))
        elif key == "import_eligible":
            value = "yes"
        out.append((label, value))
    return out
